# torch.autograd.functional's call form: jacobian, hessian, vjp, jvp, hvp and vhp applied at once,
# with a tensor input and with a tuple of inputs (PyTorch's tutorials and docs write them this way).
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def f(x):
    return x ** 3 + torch.sin(x)


def g(x, y):
    return (x * y.exp()).sum() + (x ** 2).sum() * y.sum()


def pair(x, y):
    return x * y + x.tanh()


x = torch.tensor([1.0, -2.0, 0.5])
y = torch.tensor([0.3, 0.7, -1.1])
print(torch.autograd.functional.jacobian(f, x))
print(torch.autograd.functional.jacobian(pair, (x, y)))
print(torch.autograd.functional.jacobian(f, (x,)))
print(torch.autograd.functional.jacobian(f, x, vectorize=True, strategy="forward-mode"))
print(torch.autograd.functional.hessian(lambda z: (z ** 3).sum(), x))
print(torch.autograd.functional.hessian(g, (x, y)))
v = torch.tensor([1.0, 0.5, -1.0])
out, vjp = torch.autograd.functional.vjp(f, x, v)
print(out, vjp)
print(torch.autograd.functional.vjp(g, (x, y)))
print(torch.autograd.functional.vjp(lambda z: z.sum(), (x,)))
print(torch.autograd.functional.jvp(f, x, v))
print(torch.autograd.functional.jvp(pair, (x, y), (v, v)))
print(torch.autograd.functional.jvp(lambda s: s * 2.0, torch.tensor(3.0)))
print(torch.autograd.functional.hvp(g, (x, y), (v, v)))
print(torch.autograd.functional.vhp(lambda z: (z ** 3).sum(), x, v))
