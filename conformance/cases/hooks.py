# Tensor hooks: y.register_hook(fn) replaces y's whole gradient in every later backward (a
# value's, a leaf's before .grad; printed during the backward; None keeps it; chained in order;
# through a training loop and torch.autograd.grad).
import torch
torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
y = x * 3
z = y.exp().sum() * 0.01 + (y ** 2).sum()
y.register_hook(lambda g: g * 2)
z.backward()
print(x.grad)
seen = []
w = torch.tensor([0.5, 1.5], requires_grad=True)
w.register_hook(lambda g: print("w's gradient:", g))
w.register_hook(lambda g: g.clamp(max=1.0))
loss = (w ** 3).sum()
loss.backward()
print(w.grad)
h = torch.tanh(w)
h.register_hook(lambda g: None)
(h * 4).sum().backward()
print(w.grad)
w = torch.tensor([0.5, -1.5], requires_grad=True)
w.register_hook(lambda g: g.clamp(-1.0, 1.0))
for step in range(300):
    loss = ((w - torch.tensor([2.0, 1.0])) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
    w.grad = None
print(w)
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x ** 2
y.register_hook(lambda g: g * 10)
print(torch.autograd.grad(y.sum(), x))
