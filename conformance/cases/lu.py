# PyTorch twin of lu.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT.
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
from torch import tensor, zeros
def sum(t): return t.sum()

A = tensor([[1.0, 2.0, 0.5], [3.0, 4.0, -1.0], [-3.0, 1.0, 2.0]], requires_grad=True)
W = tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0], [0.25, 1.0, -2.0]])
r = torch.linalg.lu(A)
print(r)
P, L, U = r
print(P @ L @ U, P.requires_grad, r.L.requires_grad, r[2].is_leaf)
s = sum(L * W) + sum(U ** 2)
s.backward()
print(A.grad)
T = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
X = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
print(torch.linalg.lu(T), torch.linalg.lu(X))
sum(torch.linalg.lu(T).L ** 2).backward()
sum(torch.linalg.lu(X)[2] * W[:2]).backward()
print(T.grad, X.grad)
S = tensor([[[2.0, 1.0], [-2.0, 3.0]], [[0.0, 1.0], [4.0, 2.0]], [[1.0, 2.0], [2.0, 4.0]]])
print(torch.linalg.lu(S), torch.linalg.lu(zeros(2, 2)), torch.linalg.lu(tensor([[0.0, 1.0], [0.0, 2.0]])))

def lu_sum(M):
    P, L, U = torch.linalg.lu(M)
    return sum(L * W) + sum(U * U.mT) * 0.5
A0 = A.detach().requires_grad_()
print(torch.autograd.grad(lu_sum(A0), A0)[0])
print(hessian(lu_sum, A.detach())[1, 2])
def lu_u(M):
    return torch.linalg.lu(M).U
print(jvp(lu_u, A.detach(), W))
