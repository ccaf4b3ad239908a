# PyTorch twin of jacobians.tx: torch.autograd.functional.jacobian and hessian
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import jacobian, hessian
def f(x, w): return torch.tanh(w @ x) * (x * x).sum()
x = torch.tensor([0.3, -0.8, 1.1])
w = torch.tensor([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])
print(jacobian(lambda x: f(x, w), x))
print(jacobian(lambda x: f(x, w), x, strategy="forward-mode", vectorize=True))
jw, jx = jacobian(lambda w, x: f(x, w), (w, x))
print(jw + 0)
print(jx)
def g(x): return (x ** 3 * torch.sin(x)).sum() + x.sum() ** 2 + x[0] * x[1]
print(hessian(g, x))
