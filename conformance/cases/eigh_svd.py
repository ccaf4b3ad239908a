# PyTorch twin of eigh_svd.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT; tx's fn clean is
# the function below; tx's loops over tensors and ords are Python loops.
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
tensor, zeros = torch.tensor, torch.zeros
inf = float("inf")
def sum(t): return t.sum()
def grad(f):
    def g(x):
        x = x.detach().requires_grad_()
        return torch.autograd.grad(f(x), x)[0]
    return g

A = tensor([[4.0, 1.0, -2.0, 0.3], [1.0, 3.0, 0.5, -1.0], [-2.0, 0.5, 5.0, 2.0], [0.7, -1.1, 2.2, -1.5]], requires_grad=True)
S2 = tensor([[[2.0, 1.0], [1.0, 3.0]], [[0.5, -1.0], [-1.0, 4.0]], [[-1.0, 2.0], [7.0, -3.0]]], requires_grad=True)
B = tensor([[1.0, 2.0, 0.0, 1.0], [0.0, 1.0, -1.0, 2.0], [3.0, 0.5, 2.0, -1.0], [1.0, -0.5, 0.25, 1.0]])

def clean(x):
    return (x * 1e6).round() / 1e6 + 0.0

L, V = torch.linalg.eigh(A)
print(L)
print((V * L) @ V.mT)
print(V.abs(), clean(V @ V.mT))
print(torch.linalg.eigvalsh(A), torch.linalg.eigvalsh(A, UPLO="U"))
s = sum((V.mT @ B @ V) ** 2) + sum(L * tensor([1.0, -2.0, 0.5, 3.0])) + sum(V.abs() ** 3)
s.backward()
print(A.grad)
A.grad = None
sum(torch.linalg.eigvalsh(A) ** 2).backward()
print(A.grad)

L2, V2 = torch.linalg.eigh(S2, UPLO="U")
print(L2, V2.abs())
sum(((V2 * L2.sin().unsqueeze(-2)) @ V2.mT) ** 2).backward()
print(S2.grad)

print(torch.linalg.eigh(torch.diag(tensor([3.0, 1.0, 2.0]))))
for d in [tensor([1.0, 1.0, 1.0]), tensor([1.0, 2.0, 1.0])]:
    x = torch.diag(d).clone().requires_grad_(True)
    L3, V3 = torch.linalg.eigh(x)
    sum((V3.mT @ B[:3, :3] @ V3) ** 2).backward()
    print(L3, x.grad)
    y = torch.diag(d).clone().requires_grad_(True)
    sum(torch.linalg.eigvalsh(y) * tensor([1.0, 2.0, 3.0])).backward()
    print(y.grad)

M = tensor([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [3.0, 0.5, 2.0], [1.0, 1.0, 1.0], [0.5, -2.0, 1.5]], requires_grad=True)
W = tensor([[1.0, 2.0, 0.0, 3.0, -1.0], [0.0, 1.0, -1.0, 0.5, 2.0], [3.0, 0.5, 2.0, 1.0, 1.0]], requires_grad=True)
U, S, Vh = torch.linalg.svd(M, full_matrices=False)
print(S, clean((U * S) @ Vh))
print(U.abs(), Vh.abs(), U @ U.mT)
t = sum((U @ Vh) ** 3) + sum(S ** 3) + sum(U.abs() ** 3) + sum(Vh.abs() ** 3) + sum((U @ U.mT) * B[0, 1])
t.backward()
print(M.grad)
r = torch.linalg.svd(W, full_matrices=False)
print(r.S, torch.linalg.svdvals(W), clean(r.U @ r.U.mT), clean((r.U * r.S) @ r.Vh))
t2 = sum((r.U @ r.Vh) ** 3) + sum(r.S ** 3) + sum(r[0].abs() ** 3) + sum(r[2].abs() ** 3) + sum((r.Vh.mT @ r.Vh) ** 2)
t2.backward()
print(W.grad)
Ub, Sb, Vhb = torch.linalg.svd(S2)
print(Sb)
t3 = sum(Sb.exp()) + sum((Ub.abs() * Sb.sqrt().unsqueeze(-2)) @ Vhb.abs())
t3.backward()
print(S2.grad)
print(torch.linalg.svd(zeros(3, 2), full_matrices=False))

ords = ["fro", "nuc", 2, -2, 1, -1, inf, -inf]
for o in ords:
    M.grad = None
    n = torch.linalg.matrix_norm(M, ord=o)
    n.backward()
    print(n, M.grad)
print(torch.linalg.matrix_norm(S2, ord="nuc", keepdim=True), torch.linalg.matrix_norm(S2, ord=-2, keepdim=True), torch.linalg.matrix_norm(S2, ord=-inf, keepdim=True), torch.linalg.matrix_norm(S2, keepdim=True))

def f(X):
    L, V = torch.linalg.eigh(X)
    return sum((V.mT @ B @ V) ** 2) + sum(L ** 3)
def g(X):
    U, S, Vh = torch.linalg.svd(X, full_matrices=False)
    return sum((U @ Vh) ** 3) + sum(S ** 3) + sum(U.abs() ** 2 * S)
print(grad(f)(A), clean(hessian(f, A.detach())[1, 2]), hessian(g, M.detach())[0, 1])
def fv(X):
    L, V = torch.linalg.eigh(X)
    return (V * L.exp()) @ V.mT
def gv(X):
    U, S, Vh = torch.linalg.svd(X, full_matrices=False)
    return (U * S) @ U.mT
print(jvp(fv, A.detach(), B), jvp(gv, M.detach(), M.detach().sin()))
