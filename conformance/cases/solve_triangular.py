# PyTorch twin of solve_triangular.tx (torch.triangular_solve's deprecation goes to stderr)
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian
inf, nan = float("inf"), float("nan")
tensor, stack, eye = torch.tensor, torch.stack, torch.eye

A = tensor([[2.0, 1.0, -1.0], [0.5, 3.0, 2.0], [1.0, -1.0, 4.0]], requires_grad=True)
B = tensor([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]], requires_grad=True)
X = torch.linalg.solve_triangular(A, B, upper=True)
print(X, torch.linalg.solve_triangular(A, B, upper=False, unitriangular=True))
print(torch.linalg.solve_triangular(A, B.T, upper=False, left=False), torch.linalg.solve_triangular(A, B.T, upper=True, left=False, unitriangular=True))
print(torch.triangular_solve(B, A))
r = torch.triangular_solve(B, A, upper=False, transpose=True, unitriangular=True)
print(r.solution, r[1].requires_grad, B.triangular_solve(A, False).solution)
print(torch.linalg.solve_triangular(tensor([[0.0, 0.0], [0.0, 1.0]]), tensor([[0.0], [1.0]]), upper=True))
print(torch.linalg.solve_triangular(tensor([[0.0, 1.0], [0.0, 2.0]]), tensor([[1.0], [0.0]]), upper=True))
print(torch.linalg.solve_triangular(tensor([[inf, 0.0], [nan, 1.0]]), tensor([[1.0], [2.0]]), upper=False))

Ab = stack([A, A * 2.0 + eye(3), A.T])
Bb = tensor([[[1.0], [2.0], [3.0]], [[0.5], [-1.0], [2.0]]])
print(torch.linalg.solve_triangular(Ab, B, upper=True), torch.linalg.solve_triangular(Ab.unsqueeze(1), Bb, upper=False).shape)

s = (X * tensor([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]])).sum() + (torch.linalg.solve_triangular(A, B.T, upper=False, left=False, unitriangular=True) ** 2).sum()
s.backward()
print(A.grad, B.grad)
A.grad = None
B.grad = None
t = torch.triangular_solve(B, A, upper=False, transpose=True)
(t.solution.sum() + (t.cloned_coefficient * A).sum()).backward()
print(A.grad, B.grad)
A.grad = None
torch.linalg.solve_triangular(Ab.unsqueeze(1), Bb, upper=False).pow(2).sum().backward()
print(A.grad)

def tri(a, b):
    return (torch.linalg.solve_triangular(a, b, upper=True) ** 2).sum()
a0 = A.detach().requires_grad_()
print(torch.autograd.grad(tri(a0, B.detach()), a0)[0], torch.triu(hessian(lambda a: tri(a, B.detach()), A.detach())[0, 1]))
