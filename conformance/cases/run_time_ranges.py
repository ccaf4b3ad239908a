# PyTorch twin of run_time_ranges.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor

x = tensor([1.0, 2.0, 3.0, 4.0, -1.0], requires_grad=True)
m = x[x > 1.5]
n = m.shape[0]
s = 0.0
for k in range(n):
    s = s + m[k] * k
    print(k)
print(s)
t = 0.0
for j in range(n - 1, -1, -1):
    if j == 1:
        continue
    t = t + m[j] ** 2
print(t)
for q in range(1, n):
    if q == 2:
        break
    print("q", q)
(s + t).backward()
print(x.grad)

c = int(x.sum().item())
u = x * 1.0
for i in range(c):
    u = u * 0.5 + torch.sin(u) * 0.1
print(u)
u.sum().backward()
print(x.grad)

w = tensor([0.5, -2.0, 1.5, 3.0], requires_grad=True)
p = w[w > 0]
k = 0
r = 0.0
while k < p.shape[0]:
    r = r + p[k] * (k + 1)
    k = k + 1
print(k, r)
r.backward()
print(w.grad)

def weighted(v):
    acc = 0.0
    for i in range(v.shape[0]):
        acc = acc + v[i] * (i + 1)
    return acc
print(weighted(tensor([1.0, 2.0])), weighted(tensor([1.0, 2.0, 3.0, 4.0])))
v0 = tensor([0.5, 0.5, 0.5], requires_grad=True)
print(torch.autograd.grad(weighted(v0), v0)[0])

e = x[x > 100]
z = 1.0
for i in range(e.shape[0]):
    z = z * 2
print(z)
