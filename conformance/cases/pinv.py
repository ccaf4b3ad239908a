# PyTorch twin of pinv.tx
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
tensor, eye = torch.tensor, torch.eye
def sum(t): return t.sum()

M = tensor([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [3.0, 0.5, 2.0], [1.0, 1.0, 1.0], [0.5, -2.0, 1.5]], requires_grad=True)
W = tensor([[1.0, 2.0, 0.5, 3.0, -1.0], [0.25, 1.0, -1.0, 0.5, 2.0], [3.0, 0.5, 2.0, 1.0, 1.0]], requires_grad=True)
R = tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
E = eye(3).requires_grad_(True)
S = tensor([[[2.0, 1.0], [1.0, 3.0]], [[0.5, -1.0], [2.0, 4.0]]], requires_grad=True)
P = torch.linalg.pinv(M)
print(P)
print(torch.linalg.pinv(W), torch.linalg.pinv(R), torch.linalg.pinv(E), torch.linalg.pinv(S))
C = tensor([[1.0, -2.0, 0.5, 3.0, 1.0], [2.0, 0.25, -1.0, 0.5, 1.5], [0.5, 1.0, 2.0, -1.0, 0.75]])
sum(P * C).backward()
print(M.grad)
sum(torch.linalg.pinv(W) ** 2).backward()
print(W.grad)
sum(torch.linalg.pinv(R) * tensor([[1.0, 2.0], [3.0, 4.0]])).backward()
print(R.grad)
sum(torch.linalg.pinv(E) * tensor([[1.0, 2.0, 0.0], [3.0, 4.0, 1.0], [0.5, 0.0, 1.0]])).backward()
print(E.grad)
sum(torch.linalg.pinv(S).exp()).backward()
print(S.grad)

def f(X):
    return sum(torch.linalg.pinv(X) ** 3)
def g(X):
    return torch.linalg.pinv(X)
print(hessian(f, M.detach())[1, 2], jvp(g, W.detach(), W.detach().cos()))
