# PyTorch twin of run_time_constructors.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, zeros, ones, zeros_like, ones_like, full_like

x = tensor([1.0, 2.0, 3.0, 4.0, -1.0], requires_grad=True)
m = x[x > 1.5]
n = m.shape[0]
print(zeros(n), ones(n, 2), torch.full((2, n), 7.0), zeros(m.shape), zeros_like(m), ones_like(m) * m)
print(full_like(m, 0.5), torch.zeros(len(m)).shape, zeros(n, dtype=torch.int64))
y = m + zeros(n)
acc = zeros(n)
for i in range(n):
    acc = acc + m * i
print(y, acc)
(y.sum() + acc.sum()).backward()
print(x.grad)
c = int(x.sum().item())
print(ones(c).sum(), zeros([c, 2]).shape, ones(c - 9).shape)

def centred(v):
    d = v.shape[0]
    return v - ones(d) * v.mean()
print(centred(tensor([1.0, 2.0, 6.0])), centred(m))

p = x[x > 0]
for i in range(2):
    p = p * 2.0 + i
print(p)
