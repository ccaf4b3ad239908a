# PyTorch twin of lstsq.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor
A = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], requires_grad=True)
B = tensor([[1.0], [2.0], [2.5]], requires_grad=True)
r = torch.linalg.lstsq(A, B)
print(r)
print(r.solution, r.rank)
r.solution.sum().backward()
print(A.grad, B.grad)
W = tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]], requires_grad=True)
c = tensor([[1.0, 2.0], [3.0, -1.0]])
x = torch.linalg.lstsq(W, c).solution
print(x, W @ x)
(x ** 2).sum().backward()
print(W.grad)
S = tensor([[[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, -1.0], [0.0, 2.0]]])
sol, res, rk, sv = torch.linalg.lstsq(S, S @ tensor([[1.0], [2.0]]))
print(sol, rk, res, sv)
