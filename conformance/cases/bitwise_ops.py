# PyTorch twin of bitwise_ops.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, isnan, where, inf, nan

b = tensor([True, False, True, False])
c = tensor([True, True, False, False])
i = tensor([6, -3, 0, -8])
j = tensor([3, 5, -1, 7])
x = tensor([1.0, nan, -inf, 0.0])

print(b & c, b | c, b ^ c, ~b)
print(i & j, i | j, i ^ j, ~i, ~j)
print(b & i, i | c, b ^ j, i & True, b & 1, b | False, i ^ -1, j & 4)
print((x > 0) | (x != x), (x >= 0) & (x < 1), ~(x == 0), ~isnan(x) & (x < 1))

m = tensor([[1, 2, 3], [4, 5, 6]])
print(m & tensor([1, 2, 4]), m | tensor([[8], [16]]), tensor([[True], [False]]) ^ tensor([True, False, True]))
print(m & 3, 1 | m, tensor(5) ^ m)

print(True & False, True | False, True ^ True, ~True, ~False, 6 & 3, 6 | 3, 6 ^ 3, -6 & 3, ~5, ~-1)
print(True & 3, 2 | True, 5 ^ False, 12 & 10 | 1, 1 | 2 ^ 3 & 4)
n = i.sum().item()
k = b.sum().item()
print(n & 7, n | 1, ~n, k & 1, ~k, (n > 0) | (k > 1), (n > 0) ^ True)

print(1 + 2 & 3, 6 & 3 + 1, 2 * 3 | 1, 3 | 4 == 7, -5 & 7, ~2 ** 2, -~3, ~-3, 1 < 2 & 3 < 4)
y = tensor([0.5, 1.5, 2.5])
t1 = tensor([3])
print(t1 > 0 & t1 < 2, (t1 > 0) & (t1 < 2), (y > 0) & (y < 2) | (y > 2))

p = 12
p &= 10
p |= 1
p ^= 3
q = True
q &= False
q |= True
print(p, q)
r = tensor([12, -7, 0])
r &= tensor([10, 3, 1])
r |= 16
r ^= tensor([1, 1, 1])
s = tensor([True, False, True])
s &= tensor([True, True, False])
s |= tensor([False, False, True])
s ^= True
print(r, s)

w = tensor([-1.0, 0.5, 2.0, nan], requires_grad=True)
mask = (w > 0) & ~isnan(w)
print(mask, mask.requires_grad)
loss = torch.sum(where(mask, w, 1.0) ** 2)
loss.backward()
print(loss, w.grad)
