# PyTorch twin of vector_norm_ords.tx
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jvp
from torch import tensor, zeros, inf, norm
from torch.nn.functional import normalize
def sum(t): return t.sum()

x = tensor([[1.0, -2.0, 3.0, 0.5], [0.0, -2.0, 3.0, 0.0], [2.0, -2.0, 1.0, -1.0]], requires_grad=True)
W = tensor([[0.5, -1.5, 2.0, 1.0], [3.0, 0.75, -0.25, 2.0], [1.0, 2.0, 3.0, -1.0]])
print(torch.linalg.vector_norm(x, 0.5, dim=1), torch.linalg.vector_norm(x, ord=3), torch.linalg.vector_norm(x, -1, dim=1, keepdim=True))
print(torch.linalg.vector_norm(x, -inf, dim=1), torch.linalg.vector_norm(x, 0, dim=1), torch.linalg.vector_norm(x, 0), torch.linalg.vector_norm(x, 1.5, dim=(0, 1)))
print(torch.linalg.norm(x[0], 0.25), torch.linalg.norm(x, -2, dim=0), torch.linalg.norm(x.flatten(), ord=0), norm(x, p=3), norm(x, 0.5, 1), norm(x, p=-inf, dim=0))
print(norm(zeros(0), p=-1), norm(zeros(2, 0), p=inf, dim=1), torch.linalg.vector_norm(zeros(0, 3), 0.5, dim=0), torch.linalg.vector_norm(zeros(0), 0))
print(normalize(x, p=0.5), normalize(x, p=-1, dim=0))

for o in [0.5, 1.5, 3.0, -1.0, -0.5, -inf, 4.0]:
    s = sum(torch.linalg.vector_norm(x, o, dim=1) * W[:, 0])
    s.backward()
    print(o, x.grad)
    x.grad = None
y = torch.linalg.vector_norm(x, 0, dim=1)
print(y, y.requires_grad)
y.sum().backward()
print(x.grad)
z = zeros(3, requires_grad=True)
s = torch.linalg.vector_norm(z, 3) + torch.linalg.vector_norm(z, 0.5) + torch.linalg.vector_norm(z, -1) + norm(z, p=1.5)
s.backward()
print(s, z.grad)

def norms(M):
    return torch.linalg.vector_norm(M, 3) + sum(torch.linalg.vector_norm(M, -0.5, dim=0) * W[0]) + torch.linalg.vector_norm(M, 0)
x0 = x.detach().requires_grad_()
print(torch.autograd.grad(norms(x0), x0)[0])
def cubic(M):
    return torch.linalg.vector_norm(M, 3) + torch.linalg.vector_norm(M, 0)
print(hessian(cubic, x.detach())[0, 1], hessian(cubic, x.detach())[1, 0])
print(hessian(norms, x.detach()[:, [0, 1, 0, 1]] + 1)[2, 0])
print(jvp(norms, x.detach(), W))
