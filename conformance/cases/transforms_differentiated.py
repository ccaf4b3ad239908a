# PyTorch twin of transforms_differentiated.tx
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd.functional import jacobian, hessian
def loss(w, x, y): return ((w * x).sum() - y) ** 2
w = torch.tensor([0.5, -0.3, 0.2], requires_grad=True)
X = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0], [2.0, 0.0, -1.0], [1.0, 1.0, 1.0]])
Y = torch.tensor([1.0, 0.0, -1.0, 2.0])
l = (torch.stack([loss(w, X[i], Y[i]) for i in range(4)]) * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum()
l.backward()
print(l, w.grad)
def penalty(w):
    Xs = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]]); Ys = torch.tensor([1.0, 0.0])
    per = torch.stack([torch.autograd.grad(loss(w, Xs[i], Ys[i]), w, create_graph=True)[0] for i in range(2)])
    return (per * per).sum()
w2 = torch.tensor([0.5, -0.3, 0.2], requires_grad=True)
print(torch.autograd.grad(penalty(w2), w2)[0])
def f(x): return torch.tanh(x[:2] * x[1:])
x = torch.tensor([0.3, -0.8, 1.1], requires_grad=True)
print(torch.autograd.grad((jacobian(f, x, create_graph=True) ** 2).sum(), x)[0])
def g(x): return (x ** 3 * torch.sin(x)).sum()
x = torch.tensor([0.3, -0.8, 1.1], requires_grad=True)
print(torch.autograd.grad(hessian(g, x, create_graph=True).sum(), x)[0])
