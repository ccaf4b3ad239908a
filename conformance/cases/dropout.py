import torch; torch.set_default_dtype(torch.float64)
from torch.nn.functional import dropout
from torch import arange, tensor, where
def sum(x): return torch.sum(x)
torch.manual_seed(0)
# PyTorch twin of dropout.tx; (v2) dropout as PyTorch 1.13's CPU path: the input itself when not training or p = 0, x * 0 when
# p = 1, else x times a mask over 1 - p; the mask's numbers are tx's stream, not PyTorch's, so only
# what does not depend on them is printed: the kept elements are x / (1 - p).
x = ((arange(12) * 5 % 7 - 3) / 2).reshape(3, 4)
x.requires_grad_()
a = dropout(x, 0.5, training=False)
b = dropout(x, p=0.0)
c = dropout(x, 1.0)
print(a)
print(b)
print(c)
d = dropout(x, 0.25)
print(sum(where(d != 0, d / x, 0)) / sum(d != 0))
(sum(a * 2) + sum(c) + sum(b ** 2)).backward()
print(x.grad)
