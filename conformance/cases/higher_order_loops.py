# PyTorch twin of higher_order_loops.tx
import torch; torch.set_default_dtype(torch.float64)
def f(x, w):
    h = x
    for i in range(4):
        h = torch.tanh(w @ h + x * 0.5)
    return (h * h * h).sum()
x = torch.tensor([0.7, -0.2]); w = torch.tensor([[0.5, -0.3], [0.8, 0.1]])
def g(x, w):
    gx, = torch.autograd.grad(f(x, w), x, create_graph=True)
    return (gx * torch.tensor([1.0, -2.0])).sum()
xr = x.clone().requires_grad_(True); wr = w.clone().requires_grad_(True)
print(torch.autograd.grad(g(xr, w), xr)[0])
print(torch.autograd.grad(g(x.clone().requires_grad_(True), wr), wr)[0])
def fs(x):
    h = x
    for i in range(3):
        h = torch.sin(h * x) + h
    return h
t = torch.tensor(0.3, requires_grad=True)
d1, = torch.autograd.grad(fs(t), t, create_graph=True)
print(torch.autograd.grad(d1, t)[0])
