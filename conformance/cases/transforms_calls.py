# PyTorch twin of transforms_calls.tx: torch.autograd.functional's hessian, jacobian and hvp, and
# functorch's grad, jacrev and jacfwd
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jacobian, hvp
from functorch import grad, jacrev, jacfwd

def g(x): return x ** 3 * torch.sin(x)
def f(x): return g(x).sum() + x.sum() ** 2
def r(x, w):
    h = x
    for i in range(3):
        h = torch.tanh(w @ g(h) + x)
    return (h * h).sum()
x = torch.tensor([0.3, -0.8, 1.1])
v = torch.tensor([1.0, -2.0, 0.5])
w = torch.tensor([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.1]])
print(hessian(f, x))
print(jacrev(grad(f))(x))
print(jacfwd(grad(f))(x))
print(hvp(f, x, v))
print(hessian(lambda x: r(x, w), x))
print(jacrev(grad(r))(x, w))
print(hvp(lambda x: r(x, w), x, v))
print(jacrev(grad(r, argnums=1), argnums=0)(x, w)[1])

def s(x): return (hessian(f, x, create_graph=True) * x).sum()
xr = x.clone().requires_grad_(True)
print(torch.autograd.grad(s(xr), xr)[0])
def third(x, w): return jacrev(grad(r))(x, w).sum()
print(grad(third)(x, w))
