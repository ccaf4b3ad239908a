# PyTorch twin of function_redefined.tx
import torch
torch.set_default_dtype(torch.float64)
def f_2d(x1, x2):
    return x1 ** 2 + 2 * x2 ** 2
def f_2d_grad(x1, x2):
    return (2 * x1, 4 * x2)
def gd_2d(x1, x2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - eta * g1, x2 - eta * g2)
def train_2d(trainer, steps):
    x1, x2 = -5.0, -2.0
    for i in range(steps):
        x1, x2 = trainer(x1, x2, f_2d_grad)
    return (x1, x2)
def loss(w, x):
    return torch.mean(torch.tanh(x @ w) ** 2)
def model_loss(w, x):
    return loss(w, x) + 0.5 * torch.sum(w * w)
def grad(f):
    def g(w, x):
        w = w.detach().requires_grad_(True)
        return torch.autograd.grad(f(w, x), w)[0]
    return g
eta = 0.1
first = f_2d
x1, x2 = train_2d(gd_2d, 10)
print(f'{x1:.6f} {x2:.6f} f = {f_2d(x1, x2):.6f}')
w = torch.tensor([0.5, -0.25, 1.0], requires_grad=True)
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [-1.0, 0.5, 2.0], [2.0, 2.0, -1.0]])
for step in range(3):
    l = model_loss(w, x)
    l.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
    print(step, l)
print(grad(loss)(w.detach(), x))

def f_2d(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2
def f_2d_grad(x1, x2):
    return (0.2 * x1, 4 * x2)
def loss(w, x):
    return torch.mean(torch.sigmoid(x @ w))
eta = 0.4
x1, x2 = train_2d(gd_2d, 10)
print(f'{x1:.6f} {x2:.6f} f = {f_2d(x1, x2):.6f} first = {first(x1, x2):.6f}')
for step in range(3):
    l = model_loss(w, x)
    l.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
    print(step, l)
print(grad(loss)(w.detach(), x), grad(model_loss)(w.detach(), x))
