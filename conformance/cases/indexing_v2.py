# PyTorch twin of indexing_v2.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
y = x * 2
print(y[None].shape, y[..., 0], y[:, None].shape, y[0, ...], y[0, None])
print(y[0, :], y[:, 0], y[-1], y[None, 0])

t = 0.0
for k in range(2):
    for j in range(3):
        t = t + y[k, j] * (k + 1) * j
print(t)
for k in range(2):
    t = t + y[-1 - k, k - 3]
print(t)

h = torch.zeros(2, 3)
h[0] = x[1] * 3
h[:, 2] += x[:, 0]
h[1, 1] = 7
h[..., 0] *= 2
print(h)
s = torch.sum(h * h)
s.backward()
print(x.grad)

z = torch.zeros(3, 3)
a = z
with torch.no_grad():
    for k in range(3):
        for j in range(3):
            z[k, j] = k * 3 + j
z[-1] = 0
print(a)
print(z[-1, -1], z[0][1])
z[0][1] = 100
z[1:, ::2] = torch.tensor([-1.0, -2.0])
print(z)

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
with torch.no_grad():
    w[1] = 0
print(w)
l = torch.sum(w * w)
l.backward()
print(w.grad)

u = torch.tensor(0.5, requires_grad=True)
buf = torch.zeros(5)
buf[0] = u
for i in range(1, 5):
    buf[i] = buf[i - 1].clone() * u + 1  # tx: no clone (an in-place change never alters a value a gradient saved)
print(buf)
torch.sum(buf).backward()
print(u.grad)

xa = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
ya = xa[torch.tensor([2, 0, 2])]
print(ya)
torch.sum(ya * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).backward()
print(xa.grad)
wa = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
za = wa[torch.tensor([[1, 0], [2, 2]])]
print(za)
torch.sum(za * za).backward()
print(wa.grad)
