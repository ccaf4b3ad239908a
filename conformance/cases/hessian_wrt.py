# PyTorch twin of hessian_wrt.tx: torch.autograd.functional.hessian and jacobian with a tuple of inputs
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian, jacobian

def f(x, w): return (torch.tanh(w @ x) ** 2).sum() + (x ** 3).sum() * w[1, 2]
x = torch.tensor([0.3, -0.8, 1.1])
w = torch.tensor([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])
H = hessian(f, (x, w))
print(H)
hx, hw = H
hxx, hxw = hx
print(hxx)
print(hw[1].shape[0], hw[1].shape[3])
print((H[0][1] - H[1][0].permute(2, 0, 1)).abs().amax() < 1e-12)
print(hessian(lambda w, x: f(x, w), (w, x))[0][1])

def g(a, v): return a ** 2 * torch.sin(v).sum() + torch.exp(a * v[0])
print(hessian(g, (torch.tensor(0.7), torch.tensor([0.2, -1.3]))))

def s(x, w): return (hessian(f, (x, w), create_graph=True)[0][1] * w).sum()
xr = x.clone().requires_grad_(True)
print(torch.autograd.grad(s(xr, w), xr)[0])

def k(x, w): return torch.tanh(w @ x) * (x * x).sum()
print(jacobian(k, (x, w), strategy="forward-mode", vectorize=True)[0])
print(jacobian(k, (x, w))[1] + 0)
