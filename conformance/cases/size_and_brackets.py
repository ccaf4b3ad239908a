# PyTorch twin of size_and_brackets.tx: torch.Size values and their comparisons with tuples (a list
# is never equal), and assignments whose targets are in brackets, as Python unpacks them
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor

x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
assert x.shape == (2, 3)
print(x.shape == (2, 3), x.shape != (2, 3), x.shape == [2, 3], (2, 3) == x.shape, x.shape == (3, 2))
print(torch.Size([2, 3]), x.size() == torch.Size([2, 3]), x.shape[1:] == (3,))
print(x.sum(0).shape == (3,), x.sum().shape == ())
(gx,) = torch.autograd.grad((x * x).sum(), [x])
print(gx)
[a, b] = x
print(a, b)
(r, c) = x.shape
print(r, c)
(k) = 5
print(k)
