# PyTorch twin of linalg.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT; tx's det, inverse, solve
# and cholesky are torch.det, torch.inverse, torch.linalg.solve and torch.cholesky (whose deprecation
# warning is silenced here).
import warnings; warnings.filterwarnings("ignore")
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian

A = torch.tensor([[4.0, -2.0, 1.0], [3.0, 6.0, -4.0], [2.0, 1.0, 8.0]], requires_grad=True)
Bt = torch.tensor([[[2.0, 1.0], [1.0, 3.0]], [[0.5, -1.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]]], requires_grad=True)
S = torch.tensor([[4.1, 2.0, 0.6], [2.0, 5.3, 1.5], [0.6, 1.5, 3.2]], requires_grad=True)
b = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
C = torch.tensor([[1.0, 0.0], [-1.0, 2.0], [0.5, 3.0]], requires_grad=True)
W = torch.tensor([[0.5, -1.5, 2.0], [3.0, 0.75, -0.25], [1.0, 2.0, 3.0]])
solve = torch.linalg.solve

print(torch.det(A), A.det(), torch.det(Bt))
print(torch.inverse(A))
print(Bt.inverse())
print(solve(A, b), solve(A, C))
print(solve(Bt, torch.tensor([1.0, 1.0])), solve(Bt, torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]])))
print(solve(Bt[0], Bt), solve(Bt, Bt[1]).shape)
print(torch.cholesky(S), S.cholesky(upper=True))
print(torch.det(torch.tensor([[1.0, 2.0], [2.0, 4.0]])), torch.det(torch.tensor([[2.0]])), torch.inverse(torch.tensor([[0.5]])))
print(torch.det(torch.zeros(0, 0)), torch.det(torch.eye(3) * 2))

s = torch.det(A)
s.backward()
print(A.grad)
A.grad = None
s = (torch.inverse(A) * W).sum()
s.backward()
print(A.grad)
A.grad = None
s = (solve(A, b) * torch.tensor([1.0, 2.0, 3.0])).sum() + (solve(A, C) * C).sum()
s.backward()
print(A.grad, b.grad, C.grad)
A.grad = b.grad = C.grad = None
s = (torch.det(Bt) * torch.tensor([1.0, -1.0, 2.0])).sum() + (torch.inverse(Bt) * Bt).sum() + solve(Bt, Bt[0]).sum()
s.backward()
print(Bt.grad)
Bt.grad = None
s = (torch.cholesky(S) * W).sum()
s.backward()
print(S.grad)
S.grad = None
s = (torch.cholesky(S, upper=True) * W.mT).sum() + torch.det(S) * 0.5
s.backward()
print(S.grad)
S.grad = None
P = Bt @ Bt.mT + torch.eye(2)
s = (torch.cholesky(P) * Bt).sum()
s.backward()
print(Bt.grad)

def logdet_chol(M):
    return 2 * torch.log(torch.diagonal(torch.cholesky(M))).sum()

def inv_sum(M):
    return (torch.inverse(M) * W).sum() + torch.det(M) * 0.01

def solve_sum(M):
    return (solve(M, C.detach()) ** 2).sum()

S0 = S.detach().requires_grad_()
print(torch.autograd.grad(logdet_chol(S0), S0)[0], torch.inverse(S))
print(hessian(inv_sum, A.detach()))
print(hessian(solve_sum, A.detach()))
print(hessian(logdet_chol, S.detach()))

print(torch.autograd.functional.jvp(torch.cholesky, S.detach(), torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.0, -1.0]])))
