import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch import arange, tensor, ones
from torch.nn.functional import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d
from math import inf, nan
def sum(x): return torch.sum(x)
# PyTorch twin of adaptive_pool.tx; (v2) adaptive_avg_pool1d/2d and adaptive_max_pool1d/2d: windows [floor(i L / n), ceil((i + 1) L / n)) that differ
# in size and overlap, output_size as an int, a list or a tuple (None keeps a size), larger than the input, 1 x 1,
# unbatched inputs, ties, -inf and nan; values, grad_fn names and gradients as PyTorch 1.13 gives them.
x = ((arange(70) * 17 % 23 - 11) / 7).reshape(2, 1, 5, 7)
x.requires_grad_()
u = ((arange(21) * 5 % 11 - 5) / 3).reshape(3, 7)
u.requires_grad_()

a = adaptive_avg_pool2d(x, 3)
print(a)
b = adaptive_avg_pool2d(x, [2, None])
print(b)
c = torch.nn.functional.adaptive_avg_pool2d(x[0], (4, 3))
print(c)
d = adaptive_avg_pool2d(x, 1)
print(d)
e = adaptive_avg_pool2d(x, (7, 9))
print(e.shape[2], e.shape[3], e[0, 0, :3])
f = adaptive_max_pool2d(x, (2, 3))
print(f)
g = F.adaptive_max_pool2d(x[1], [None, 4])
print(g)
h = adaptive_max_pool2d(x, 1)
print(h)
p = adaptive_avg_pool1d(u, 3)
print(p)
q = adaptive_avg_pool1d(u.reshape(1, 3, 7), (5,))
print(q)
r = adaptive_max_pool1d(u, 4)
print(r)
s = adaptive_max_pool1d(u.reshape(3, 1, 7), 1)
print(s)
z = adaptive_avg_pool1d(u, 0)
print(z.shape[1])

loss = sum(a ** 2) + sum(b * b) + sum(c ** 3) + sum(d) + sum(e ** 2) + sum(f ** 2) + sum(g * 3) + sum(h)
loss = loss + sum(p ** 2) + sum(q ** 3) + sum(r * r) + sum(s)
loss.backward()
print(x.grad)
print(u.grad)

# ties go to the first maximum, a nan wins (the last one), an all -inf window sends its gradient to its first element
t = tensor([[[1.0, 3.0, 3.0, -1.0, nan, 2.0, nan, 0.5, -inf, -inf, -inf]]], requires_grad=True)
m = adaptive_max_pool1d(t, 4)
print(m)
m.backward(tensor([[[1.0, 2.0, 3.0, 4.0]]]))
print(t.grad)
k = tensor([[1.0, inf, -2.0, 4.0, 5.0, -inf]], requires_grad=True)
n = adaptive_avg_pool1d(k, 4)
print(n)
n.backward(ones(1, 4))
print(k.grad)
