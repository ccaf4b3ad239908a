# PyTorch twin of vmap_grad_while.tx: functorch's vmap cannot follow a while on each example's
# own condition, so the twin takes each example's gradient in turn
import torch; torch.set_default_dtype(torch.float64)
def f(x, w):
    h = x
    k = 0
    while (h * h).sum() < 6 + k:
        h = torch.tanh(w @ h) * 0.5 + h * 1.2 + x * 0.1
        if h.sum() > 3:
            break
        k += 1
    return (h ** 3).sum() + k
X = torch.tensor([[0.1, 0.2, -0.3], [1.0, -1.5, 2.0], [3.0, 0.0, 0.0], [0.5, 0.5, 0.5], [-0.2, 0.1, 0.05]])
W = torch.tensor([[0.3, -0.2, 0.1], [0.05, 0.4, -0.3], [0.2, 0.1, 0.25]])
print(torch.stack([f(x, W) for x in X]))
def grads(x):
    x = x.clone().requires_grad_(True)
    w = W.clone().requires_grad_(True)
    gx, gw = torch.autograd.grad(f(x, w), (x, w), allow_unused=True)  # w unused where the loop does not run
    return gx, torch.zeros_like(W) if gw is None else gw
G = torch.stack([grads(x)[0] for x in X])
print(G)
GW = torch.stack([grads(x)[1] for x in X])
print(GW)
print(torch.sqrt((GW * GW).sum(dim=[1, 2])))
def norms(X, w):
    total = 0
    for x in X:
        x = x.clone().requires_grad_(True)
        g, = torch.autograd.grad(f(x, w), x, create_graph=True)
        total = total + torch.sqrt((g * g).sum())
    return total
w = W.clone().requires_grad_(True)
print(torch.autograd.grad(norms(X, w), w)[0])
