# PyTorch twin of forward_mode.tx: torch.autograd.functional.jvp
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import jvp
def f(x, w):
    h = torch.tanh(w @ x + 0.5)
    return h * torch.sin(x) + torch.exp(-h * h) * x
x = torch.tensor([0.3, -0.8, 1.1])
w = torch.tensor([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]])
v, t = jvp(lambda x: f(x, w), (x,), (torch.tensor([1.0, 0.0, -1.0]),))
print(v); print(t)
v2, t2 = jvp(f, (x, w), (torch.tensor([1.0, 0.0, -1.0]), torch.ones(3, 3) * 0.1))
print(t2)
def g(x): return (x ** 3 * torch.sin(x)).sum()
def gt(x): return jvp(g, (x,), (torch.tensor([0.5, 1.0, -2.0]),), create_graph=True)[1]
xr = x.clone().requires_grad_(True)
print(torch.autograd.grad(gt(xr), xr)[0])

def fl(x):
    h = x
    for i in range(3):
        h = torch.tanh(h) * 0.5 + x * i
    return (h * h).sum()
def gl(x, w):
    h = x
    s = torch.zeros(2)
    for i in range(4):
        if h.sum() > 0:
            h = torch.sin(w @ h) + x
        else:
            h = torch.cos(w @ h) * 2 - x
        for j in range(2):
            s = s + h * j
    return s + h
x = torch.tensor([0.7, -0.2])
w2 = torch.tensor([[0.5, -0.3], [0.8, 0.1]])
v, t = jvp(fl, (x,), (torch.tensor([1.0, 0.0]),))
print(v, t)
v2, t2 = jvp(gl, (x, w2), (torch.tensor([0.3, -1.0]), torch.tensor([[0.1, 0.2], [-0.3, 0.4]])))
print(v2, t2)
def flt(x): return jvp(fl, (x,), (torch.tensor([0.5, 2.0]),), create_graph=True)[1]
xr = x.clone().requires_grad_(True)
print(torch.autograd.grad(flt(xr), xr)[0])

from torch.autograd.functional import hvp
def fh(x): return (x ** 3 * torch.sin(x)).sum() + x.sum() ** 2
v, hv = hvp(fh, (torch.tensor([0.3, -0.8, 1.1]),), (torch.tensor([1.0, 0.5, -2.0]),))
print(v, hv[0])
def rnn(w, x):
    h = x
    for i in range(4):
        h = torch.tanh(w @ h + x)
    return (h * h).sum()
w = torch.tensor([[0.5, -0.3], [0.8, 0.1]])
x2 = torch.tensor([0.7, -0.2])
a, (hw, hx) = hvp(rnn, (w, x2), (torch.tensor([[0.1, 0.2], [-0.3, 0.4]]), torch.tensor([1.0, -1.0])))
print(a, hw, hx)
