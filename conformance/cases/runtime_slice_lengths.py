# PyTorch twin of runtime_slice_lengths.tx
import torch
torch.set_default_dtype(torch.float64)
x = torch.arange(40.0, requires_grad=True)
total = 0.0
for i in range(40):
    total = total + x[i:i + 20].sum()
print(total)
total.backward()
print(x.grad)
v = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
k = sum(v > 2.5).item()
print(v[k:2 * k], v[k:], v[-k:], v[:k - 10], v[1:k:2])
s = (v[k:] * v[k:]).sum() + v[-k:].mean()
s.backward()
print(v.grad)

y = torch.arange(20.0, requires_grad=True)
acc = torch.tensor(0.0)
for i in range(20):
    acc = acc + sum(y[:i]) * sum(y[i:])
print(acc)
acc.backward()
print(y.grad)

w = torch.arange(6.0, requires_grad=True)
i = 0
t = torch.tensor(0.0)
while i < 4:
    t = t + w[:i + 1].sum() * w[i:].mean()
    i = i + 1
t.backward()
print(t, w.grad)
def f(z):
    k = int((z > 0).sum())
    return (z[:k] ** 2).sum() + z[k:].mean()
z = torch.tensor([1.0, 2.0, -1.0, 3.0, -4.0], requires_grad=True)
print(f(z), torch.autograd.grad(f(z), z)[0])
