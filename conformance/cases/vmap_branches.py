# PyTorch twin of vmap_branches.tx. functorch's vmap refuses an `if` on a tensor ("data-dependent control
# flow"), so the twin loops over the examples and stacks, as vmap.py does.
import torch; torch.set_default_dtype(torch.float64)
def f(x):
    if x.min() >= 0:
        y = torch.sqrt(x).sum() * 2.0
    else:
        y = torch.log(-x).sum() + (x ** 2).sum()
    return y
def per_example_grads(fn, rows, *rest):
    out = []
    for i in range(len(rows)):
        xr = rows[i].clone().requires_grad_(True)
        out.append(torch.autograd.grad(fn(xr, *[r[i] for r in rest]), xr)[0])
    return torch.stack(out)
X = torch.tensor([[0.0, 1.0, 4.0], [-1.0, -2.0, -0.5], [2.0, 0.0, 0.0], [-0.25, -3.0, -1.0]])
print(torch.stack([f(x) for x in X]))
print(per_example_grads(f, X))
Xg = X.clone().requires_grad_()
v = torch.stack([f(Xg[i]) for i in range(4)])
print(v)
v.sum().backward()
print(Xg.grad)

def huber(w, x, y):
    r = (w * x).sum() - y
    if abs(r) < 1.0:
        l = 0.5 * r ** 2
    else:
        l = abs(r) - 0.5
    return l
w = torch.tensor([0.5, -0.3, 0.2])
Y = torch.tensor([1.0, 0.0, -1.0, 2.0])
print(torch.stack([huber(w, X[i], Y[i]) for i in range(4)]))
gw, gx = [], []
for i in range(4):
    wr, xr = w.clone().requires_grad_(True), X[i].clone().requires_grad_(True)
    a, b = torch.autograd.grad(huber(wr, xr, Y[i]), (wr, xr))
    gw.append(a)
    gx.append(b)
print(torch.stack(gw))
print(torch.stack(gx))
def steps(x):
    h = x
    for t in range(3):
        if h.sum() > 0:
            h = torch.tanh(h) - 0.5
        else:
            h = h * 2.0 + 1.0
    return (h ** 2).sum()
print(torch.stack([steps(x) for x in X]))
print(per_example_grads(steps, X))

def halve(x):
    h = x
    while abs(h).sum() > 1:
        h = h * 0.5 + 0.1
    return (h * x).sum()
print(torch.stack([halve(x) for x in X]))
Xh = X.clone().requires_grad_()
torch.stack([halve(Xh[i]) for i in range(4)]).sum().backward()
print(Xh.grad)
