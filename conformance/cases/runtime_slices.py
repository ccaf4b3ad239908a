# PyTorch twin of runtime_slices.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, -2.0, 3.0, 4.0, -5.0, 6.0], requires_grad=True)
X = torch.arange(12.0).reshape(6, 2) / 4
w = torch.tensor([0.5, -1.5], requires_grad=True)
bs = 2
n = x.shape[0]
total = 0.0
for i in range(0, n, bs):
    xb = x[i:i + bs]
    Xb = X[i:min(i + bs, n)]
    print(i, xb)
    total = total + (xb * torch.tanh(Xb @ w)).sum()
total.backward()
print(total)
print(x.grad, w.grad)

x.grad = None
s = 0.0
for k in range(n - 2):
    s = s + torch.prod(x[k:k + 3]) + x[k:k + 3:2].sum() * x[k + 1]
s.backward()
print(s, x.grad)

j = torch.tensor(2).item()
print(x[j:j + 3], X[j - 1:j + 1, 1], X[:, j - 2:j - 1])

y = x.detach().clone()
for r in range(2):
    y[2 * r + 1:2 * r + 3] = torch.tensor([10.0, 20.0]) * (r + 1)
print(y)

z = (x * 1.0)
for r in range(3):
    z[r:r + 2] *= 2
z.sum().backward()
print(z)
print(x.grad)

def sliding(v):
    acc = 0.0
    for t in range(4):
        acc = acc + v[t:t + 3].max() * v[t]
    return acc

v0 = x.detach().clone().requires_grad_(True)
val = sliding(v0)
g, = torch.autograd.grad(val, [v0])
print(val.detach(), g)

u = torch.arange(7.0, requires_grad=True)
loss = 0.0
for start in range(0, 7, 3):
    ub = u[start:start + 3]
    print(start, ub.shape, ub)
    loss = loss + (ub ** 2).mean()
loss.backward()
print(loss, u.grad)
v = torch.tensor([2.0, -1.0, 0.5, 3.0], requires_grad=True)
acc = 0.0
for i in range(4):
    acc = acc + sum(v[:i]) * sum(v[i - 1:i + 1])
acc.backward()
print(acc, v.grad)
