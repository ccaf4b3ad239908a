# PyTorch twin of qr.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT; torch.qr's
# deprecation warning is silenced here.
import warnings; warnings.filterwarnings("ignore")
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
tensor, zeros = torch.tensor, torch.zeros
def sum(t): return t.sum()

A = tensor([[4.0, -2.0, 1.0], [3.0, 6.0, -4.0], [2.0, 1.0, 8.0], [1.0, 1.0, 1.0]], requires_grad=True)
S = tensor([[[2.0, 1.0], [1.0, 3.0]], [[0.5, -1.0], [2.0, 4.0]], [[-1.0, 2.0], [3.0, 4.0]]], requires_grad=True)
W = tensor([[0.5, -1.5, 2.0], [3.0, 0.75, -0.25], [1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]])

r = torch.linalg.qr(A)
print(r)
print(r.Q, r.R, r[1])
print(torch.qr(S))
q, rr = A.qr()
print(q @ rr)
print(torch.linalg.qr(tensor([[0.0, 1.0], [0.0, 2.0], [0.0, -2.0]])), torch.linalg.qr(zeros(3, 2)))
print(torch.linalg.qr(tensor([[3.0], [4.0]])), torch.linalg.qr(tensor([[-2.0, 1.0]]).T))

s = sum(torch.linalg.qr(A).Q * W) + sum(torch.linalg.qr(A).R * W[:3])
s.backward()
print(A.grad)
A.grad = None
s = sum(torch.linalg.qr(A)[1] ** 2)
s.backward()
print(A.grad)
A.grad = None
Q2, R2 = torch.linalg.qr(S)
s = sum(Q2 * tensor([[1.0, -2.0], [0.5, 3.0]])) + sum(R2 ** 3)
s.backward()
print(S.grad)

def qr_sum(M):
    Q, R = torch.linalg.qr(M)
    return sum(Q * W) + sum(R * W[1:]) * 0.5
A0 = A.detach().requires_grad_()
print(torch.autograd.grad(qr_sum(A0), A0)[0])
print(hessian(qr_sum, A.detach())[0, 1])

def qr_q(M):
    return torch.linalg.qr(M).Q
print(jvp(qr_q, A.detach(), W))
