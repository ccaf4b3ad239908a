# PyTorch twin of linalg_spellings.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT; the deprecation
# warning of torch.cholesky is silenced here.
import warnings; warnings.filterwarnings("ignore")
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
nan, inf = float("nan"), float("inf")

A = torch.tensor([[4.0, -2.0, 1.0], [3.0, 6.0, -4.0], [2.0, 1.0, 8.0]], requires_grad=True)
Bt = torch.tensor([[[2.0, 1.0], [1.0, 3.0]], [[0.5, -1.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]]], requires_grad=True)
C = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
N = torch.tensor([[4.0, 1.0], [3.0, 5.0]])
W = torch.tensor([[0.5, -1.5, 2.0], [3.0, 0.75, -0.25], [1.0, 2.0, 3.0]])

print(torch.linalg.inv(A), torch.linalg.det(A), torch.linalg.det(Bt))
print(torch.linalg.solve(A, C, left=False))
print(torch.linalg.solve(Bt, Bt[0], left=False))
print(torch.linalg.solve(A, torch.tensor([1.0, 2.0, 3.0])))
S = A @ A.mT
print(torch.linalg.cholesky(S))
print(torch.linalg.cholesky(S, upper=True))
print(torch.linalg.cholesky(N), torch.linalg.cholesky(N, upper=True), torch.cholesky(N, upper=True))

r = torch.linalg.slogdet(A)
print(r)
print(r.sign, r.logabsdet, r[1])
print(torch.slogdet(Bt))
sgn, lad = (-A).slogdet()
print(sgn, lad)
print(torch.linalg.slogdet(torch.tensor([[1.0, 2.0], [2.0, 4.0]])))
print(torch.linalg.slogdet(torch.tensor([[nan, 1.0], [1.0, 1.0]])))
print(torch.linalg.slogdet(torch.tensor([[inf, 1.0], [1.0, 1.0]])))
print(torch.linalg.slogdet(torch.eye(200) * 0.01))
print(torch.linalg.slogdet(torch.zeros(0, 0)), torch.slogdet(torch.zeros(2, 0, 0)))

s = torch.linalg.slogdet(A).logabsdet
s.backward()
print(A.grad)
A.grad = None
s = (torch.linalg.slogdet(Bt)[1] * torch.tensor([1.0, -2.0, 3.0])).sum()
s.backward()
print(Bt.grad)
Bt.grad = None
s = (torch.linalg.inv(A) * W).sum() + torch.linalg.det(A) * 0.01 + (torch.linalg.solve(A, C, left=False) * C).sum()
s.backward()
print(A.grad, C.grad)
A.grad = C.grad = None
s = (torch.linalg.cholesky(S) * W).sum() + (torch.linalg.cholesky(S, upper=True) * W).sum()
s.backward()
print(A.grad)
A.grad = None
s = (torch.linalg.solve(Bt, Bt[1], left=False) ** 2).sum()
s.backward()
print(Bt.grad)

def logabsdet(M):
    return torch.linalg.slogdet(M).logabsdet
A0 = A.detach().requires_grad_()
print(torch.autograd.grad(logabsdet(A0), A0)[0], torch.linalg.inv(A).T)
print(hessian(logabsdet, A.detach()))
print(jvp(logabsdet, A.detach(), W))
