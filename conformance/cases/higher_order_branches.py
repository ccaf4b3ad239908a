# PyTorch twin of higher_order_branches.tx
import torch; torch.set_default_dtype(torch.float64)
def f(x):
    if x.sum() > 0:
        y = x ** 3 * torch.sin(x)
    else:
        y = torch.sin(x) * torch.exp(x)
    return (y * y).sum()
def g(x):
    gx, = torch.autograd.grad(f(x), x, create_graph=True)
    return (gx * torch.tensor([1.0, -2.0])).sum()
def gg(v):
    x = torch.tensor(v, requires_grad=True)
    return torch.autograd.grad(g(x), x)[0]
print(gg([0.7, -0.2]), gg([-0.7, 0.2]))
def h(x):
    s = x
    for i in range(3):
        if s.sum() > 0:
            s = torch.tanh(s * x)
        else:
            s = s * s + x
    return s.sum()
def fn_h(x): return h(torch.stack([x, x * 0.5]))
def d2(v):
    x = torch.tensor(v, requires_grad=True)
    d1, = torch.autograd.grad(fn_h(x), x, create_graph=True)
    return torch.autograd.grad(d1, x)[0]
print(d2(0.4), d2(-0.9))
