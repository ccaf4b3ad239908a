# PyTorch twin of functions.tx (derived functions computed with torch.autograd.grad)
import torch; torch.set_default_dtype(torch.float64)

def affine(W, x, b):
    return W @ x + b

def moments(v):
    mu = torch.mean(v)
    return mu, torch.mean((v - mu) ** 2)

def energy(W, x, b):
    return torch.sum(torch.tanh(affine(W, x, b)) ** 2)

def cube(x):
    return x ** 3

def grad_at(f, args, wrt, create_graph=False):
    # the gradient of f at args with respect to the argument positions in wrt, as plain tensors
    args = [a.detach().clone().requires_grad_(i in wrt) for i, a in enumerate(args)]
    out = f(*args)
    gs = torch.autograd.grad(out, [args[i] for i in wrt], create_graph=create_graph)
    return out.detach(), [g if create_graph else g.detach() for g in gs]

W0 = torch.tensor([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]])
x0 = torch.tensor([1.0, 2.0, 3.0])
b0 = torch.tensor([0.5, -0.5])
print(affine(W0, x0, b0))
m, var = moments(torch.tensor([1.0, 2.0, 3.0, 6.0]))
print(m, var)
print(energy(W0, x0, b0))

_, (gW,) = grad_at(energy, [W0, x0, b0], [0])      # tx: grad(energy), first parameter
print(gW)
_, (gx, gb) = grad_at(energy, [W0, x0, b0], [1, 2])  # tx: grad(energy, wrt=[x, b])
print(gx)
print(gb)
val, (g,) = grad_at(energy, [W0, x0, b0], [2])      # tx: value_and_grad(energy, wrt=b)
print(val)
print(g)
c = torch.tensor(3.0, requires_grad=True)
(d1,) = torch.autograd.grad(cube(c), [c], create_graph=True)
(d2,) = torch.autograd.grad(d1, [c], create_graph=True)
(d3,) = torch.autograd.grad(d2, [c])
print(d1.detach(), d2.detach(), d3)

W = torch.tensor([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]], requires_grad=True)
e = energy(W, x0, b0)
print(e.requires_grad)
e.backward()
print(W.grad)
torch.testing.assert_close(W.grad, gW, rtol=1e-5, atol=1e-8)
