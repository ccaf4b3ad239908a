# PyTorch twin of newton.tx: Newton's method on the Rosenbrock function with torch.autograd.functional.hessian
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import hessian

def rosen(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

x = torch.tensor([-1.2, 1.0])
for it in range(8):
    xr = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(rosen(xr), xr)
    h = hessian(rosen, x)
    det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]
    step = torch.stack([h[1, 1] * g[0] - h[0, 1] * g[1], h[0, 0] * g[1] - h[1, 0] * g[0]]) / det
    x = x - step
    print(it, rosen(x), x)
