# PyTorch twin of tensor_methods.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, ones, zeros, softmax
x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x * 2
print(x.mT, y.mT, x.t(), y.t(), ones(3, requires_grad=True).t(), x.dim(), ones(2, 3, 4).mT.shape)
print(x.tolist(), tensor([1, 2]).tolist(), tensor(True).tolist(), tensor(2.5).tolist(), tensor([[True, False]]).tolist(), zeros(0).tolist(), tensor([1e20, 1 / 3]).tolist())
s = (x.mT * tensor([[1.0, 2.0], [3.0, 4.0]])).sum() + (y.t() @ x).sum()
s.backward()
print(x.grad)
rows = x.tolist()
print(len(rows), rows[1][0], sum(rows[0]), rows[0][1] * 2)
dim = 1
print(softmax(x, dim=dim).sum(dim=dim), x.dim())
