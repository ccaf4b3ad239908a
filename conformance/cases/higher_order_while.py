# PyTorch twin of higher_order_while.tx
import torch; torch.set_default_dtype(torch.float64)
def leaf(x):
    return x if x.requires_grad else x.detach().clone().requires_grad_(True)
def grad(fn, argnum=0):
    def g(*args):
        args = list(args)
        args[argnum] = leaf(args[argnum])
        return torch.autograd.grad(fn(*args), args[argnum], create_graph=True)[0]
    return g
def f(x, w):
    h = x
    k = 0
    while (h * h).sum() < 5 + k:
        h = torch.tanh(w @ h + x * 0.5) * 1.5 + h
        k += 1
    return (h * h * h).sum()
x = torch.tensor([0.7, -0.2]); w = torch.tensor([[0.5, -0.3], [0.8, 0.1]])
def g(x, w):
    return (grad(f)(x, w) * torch.tensor([1.0, -2.0])).sum()
print(grad(g)(x, w).detach())
print(grad(g, 1)(x, w).detach())
print(torch.autograd.functional.jacobian(lambda x: grad(f)(x, w), x))
print(torch.autograd.functional.jacobian(lambda w: grad(f)(x, w), w))
print(torch.autograd.functional.hessian(lambda x: f(x, w), x))

def fs(x):
    h = x
    while h < 2:
        h = torch.sin(h * x) + h
    return h
def d2(x):
    return grad(grad(fs))(x)
t = torch.tensor(0.3)
print(fs(t), grad(fs)(t).detach(), d2(t).detach())
print(grad(d2)(t).detach())

def vf(x):
    h = x
    while h.sum() < 3:
        h = h * 1.3 + torch.sin(x) * h
    return h
def gv(x):
    x = leaf(x)
    v, = torch.autograd.grad(vf(x), x, torch.tensor([1.0, 0.5]), create_graph=True)
    return (v ** 2).sum()
print(grad(gv)(torch.tensor([0.4, 0.6])).detach())

def fb(x):
    h = x
    n = 0
    while True:
        n += 1
        if n % 3 == 0:
            continue
        for i in range(2):
            h = h + 0.3 * torch.cos(h * x[i])
        if h.sum() > 2.5:
            h = h * x
        else:
            h = h + x * x
        if n > 6:
            break
    return torch.exp(h * 0.5).sum()
xb = torch.tensor([0.2, -0.4, 0.5])
print(grad(fb)(xb).detach())
print(torch.autograd.functional.jacobian(grad(fb), xb))
print(torch.autograd.functional.hessian(fb, xb))

def fi(x):
    h = x
    for t in range(3):
        k = 0
        while (h * h).sum() < 1 + t + k:
            h = h * 1.2 + torch.sin(x) * 0.3
            k += 1
        h = torch.tanh(h)
    return (h * h * x).sum()
xi = torch.tensor([0.3, 0.2])
print(torch.autograd.functional.jacobian(grad(fi), xi))

a = torch.tensor([0.5, 0.25], requires_grad=True)
s = a
while s.sum() < 4:
    s = s * s + a
(s * s).sum().backward(create_graph=True)
print(a.grad)
ga = a.grad
a.grad = None
(ga * torch.tensor([1.0, 3.0])).sum().backward()
print(a.grad)
