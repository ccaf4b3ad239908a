# PyTorch twin of qr_wide.tx
# NOTE: tx's fn f and fn g are the Python functions below; torch.qr's deprecation warning is silenced.
import warnings; warnings.filterwarnings("ignore")
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
tensor, zeros = torch.tensor, torch.zeros
def sum(t): return t.sum()
A = tensor([[4.0, -2.0, 1.0, 0.5], [3.0, 6.0, -4.0, 2.0], [2.0, 1.0, 8.0, -1.0]], requires_grad=True)
S = tensor([[[2.0, 1.0, 3.0], [1.0, 3.0, -1.0]], [[0.5, -1.0, 2.0], [2.0, 4.0, 0.25]]], requires_grad=True)
W = tensor([[0.5, -1.5, 2.0, 1.0], [3.0, 0.75, -0.25, 2.0], [1.0, 2.0, 3.0, -0.5]])
r = torch.linalg.qr(A)
print(r)
print(torch.qr(S), torch.linalg.qr(S, mode="complete"), torch.qr(S, some=False).R)
q, rr = A.qr()
print(q @ rr)
s = sum(r.Q * W[:, :3]) + sum(r.R * W)
s.backward()
print(A.grad)
Q2, R2 = torch.linalg.qr(S)
t = sum(Q2 ** 3) + sum(R2 ** 3)
t.backward()
print(S.grad)
print(torch.linalg.qr(tensor([[1.0, 2.0, 3.0]])), torch.linalg.qr(tensor([[0.0, 1.0, 2.0], [1.0, 3.0, -1.0]])))
def f(M):
    Q, R = torch.linalg.qr(M)
    return sum(Q * W[:, 1:]) + sum(R * W) * 0.5
print(hessian(f, A.detach())[0, 1])
def g(M):
    return torch.linalg.qr(M).Q
print(jvp(g, A.detach(), W))
