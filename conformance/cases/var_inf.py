# PyTorch twin of var_inf.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor
inf, nan = float("inf"), float("nan")
x = tensor([[1.0, inf, 2.0, 4.0], [1.0, 2.0, 3.0, 5.0], [-inf, 0.5, 1.0, 2.0], [nan, 1.0, 2.0, 3.0]], requires_grad=True)
v = torch.var(x, dim=1)
print(v)
v.backward(tensor([1.0, 2.0, 3.0, 4.0]))
print(x.grad)
x.grad = None
w = torch.var(x, dim=1, correction=0, keepdim=True)
print(w)
w.sum().backward()
print(x.grad)
x.grad = None
print(torch.var(x))
torch.var(x).backward()
print(x.grad)
y = tensor([[0.5, -1.0, 2.0], [3.0, 1.0, -2.0]], requires_grad=True)
g, = torch.autograd.grad(torch.var(y, dim=1).sum(), y, create_graph=True)
print(g)
h, = torch.autograd.grad((g * tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])).sum(), y)
print(h)
z = tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
def f(t):
    return torch.var(t, dim=0).sum()
hessian = torch.autograd.functional.hessian
print(hessian(f, z))
print(torch.var(tensor([[1.0, 2.0]], requires_grad=True), dim=1, correction=2))
q = tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], requires_grad=True)
print(torch.autograd.grad(torch.var(q), q, create_graph=True)[0])
print(torch.autograd.grad(torch.var(q, dim=0, keepdim=True).sum() + q.sum(), q, create_graph=True)[0])
print(torch.autograd.grad((torch.var(q, dim=1) * tensor([1.0, 2.0])).sum(), q, create_graph=True)[0])
print(torch.autograd.grad(torch.var(q * 2, dim=1).sum(), q, create_graph=True)[0])
