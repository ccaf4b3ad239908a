# PyTorch twin of retain_grad_late.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
u = y * y
z = (u * 3 + y).sum()
y.retain_grad()
z.backward()
print(y.grad)
print(x.grad)
# a tensor retained before use on the way, and one retained after
a = x * 3
a.retain_grad()
b = a.exp()
c = b * a
b.retain_grad()
loss = c.sum()
loss.backward()
print(a.grad)
print(b.grad)
print(x.grad)
# in a loop, retained after use
w = torch.tensor([0.5, -1.0], requires_grad=True)
for step in range(2):
    h = torch.tanh(w * (step + 1))
    loss = (h ** 2).sum()
    h.retain_grad()
    loss.backward()
    print(step, h.grad, w.grad)
