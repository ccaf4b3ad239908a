# PyTorch twin of max_unpool.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
inf, nan = float("inf"), float("nan")
tensor, arange, zeros, scatter = torch.tensor, torch.arange, torch.zeros, torch.scatter
max_pool1d, max_pool2d, max_unpool2d = F.max_pool1d, F.max_pool2d, F.max_unpool2d

x = tensor([[[[1.0, nan, 2.0, -0.0], [inf, -1.0, 0.0, 5.0], [3.0, 3.0, -inf, 4.0]]]], requires_grad=True)
v, i = max_pool2d(x, 2, stride=1, return_indices=True)
print(v, i)
u = max_unpool2d(v, i, 2, stride=1)
print(u)
u.backward(arange(12.0).reshape(1, 1, 3, 4))
print(x.grad)

w = tensor([[[[1.0, -0.0, 3.0], [4.0, 5.0, 6.0]]]], requires_grad=True)
uw = F.max_unpool2d(w, i, 2, stride=1, output_size=[3, 4])
print(uw)
(uw * arange(12.0).reshape(1, 1, 3, 4)).sum().backward()
print(w.grad)

y = tensor([[[[0.5, -2.0, 4.0, 1.0, 0.0], [3.0, 2.0, -1.0, 7.0, 6.0], [1.0, 9.0, 8.0, -3.0, 2.0], [0.0, 1.0, 2.0, 3.0, 4.0]],
             [[1.0, 1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0], [-1.0, -2.0, -3.0, -4.0, -5.0]]]], requires_grad=True)
p, pi = max_pool2d(y, 2, return_indices=True)
print(max_unpool2d(p, pi, 2))
print(max_unpool2d(p, pi, 2, output_size=[1, 2, 5, 5]))
print(max_unpool2d(p, pi, [2, 2], output_size=(5, 5)))
print(max_unpool2d(p, pi, 2, output_size=y.shape))
q, qi = max_pool2d(y, 3, stride=2, padding=1, return_indices=True)
uq = max_unpool2d(q, qi, 3, stride=2, padding=1)
print(uq)
(uq ** 2).sum().backward()
print(y.grad)

print(max_unpool2d(p[0], pi[0], 2))

r = tensor([[[1.0, 5.0, 2.0, 2.0, 3.0, 0.0, 7.0], [0.0, -1.0, nan, 4.0, 4.0, 2.0, 1.0]]], requires_grad=True)
m, mi = max_pool1d(r, 3, stride=1, return_indices=True)
print(m, mi)
um = F.max_unpool1d(m, mi, 3, stride=1)
print(um)
(um * arange(14.0).reshape(1, 2, 7)).sum().backward()
print(r.grad)
m2, mi2 = max_pool1d(r, 2, return_indices=True)
s = tensor([[[1.0, 2.0, 3.0], [6.0, -7.0, 8.0]]], requires_grad=True)
us = F.max_unpool1d(s, mi2, 2, output_size=[7])
print(us)
(us * arange(14.0).reshape(1, 2, 7)).sum().backward()
print(s.grad)
print(F.max_unpool1d(m[0], mi[0], 2, output_size=[10]))

z = zeros(2, 4, requires_grad=True)
src = tensor([[1.0, 2.0, 3.0]], requires_grad=True)
sc = torch.scatter(z, 1, tensor([[0, 0, 3]]), src)
print(sc)
sc.backward(arange(8.0).reshape(2, 4))
print(z.grad, src.grad)
print(z.scatter(0, tensor([[1, 0, 1, 0]]), tensor([[5.0, 6.0, 7.0, 8.0]])))
print(scatter(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]]), tensor([[9], [8]])))
