# PyTorch twin of masked_fill_dtypes.tx
import torch
from torch import tensor
torch.set_default_dtype(torch.float64)
x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
m = tensor([[True, False], [False, True]])
i = tensor([[1, 2], [3, 4]])
print(i.masked_fill(m, 0.5), i.masked_fill(m, -2.7), m.masked_fill(~m, 1), x.masked_fill(m, 7))
v = tensor(3.0, requires_grad=True)
y = x.masked_fill(m, v)
print(y)
(y * tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
print(x.grad, v.grad)
