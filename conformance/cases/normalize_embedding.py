# PyTorch twin of normalize_embedding.tx
import torch
import torch.nn.functional as F
from torch import tensor
torch.set_default_dtype(torch.float64)
x = tensor([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0], [1.0, 2.0, 2.0]], requires_grad=True)
y = F.normalize(x)
print(y)
z = F.normalize(x, p=1, dim=0)
w = F.normalize(x[0], dim=0)
print(z, w)
(y * tensor([1.0, 2.0, 3.0])).sum().backward()
print(x.grad)
print(torch.empty(2, 3).shape, torch.empty_like(x).shape)
E = tensor([[0.1, 0.2], [1.0, -1.0], [3.0, 4.0]], requires_grad=True)
i = tensor([[2, 0], [2, 1]])
e = F.embedding(i, E)
print(e, F.embedding(tensor([1]), E))
(e * e).sum().backward()
print(E.grad)
