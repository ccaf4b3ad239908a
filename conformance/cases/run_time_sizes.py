# PyTorch twin of run_time_sizes.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, where, maximum, cat, stack, arange
from functorch import grad
x = tensor([3.0, -1.0, 5.0, -2.0, 4.0], requires_grad=True)
y = tensor([1.0, 2.0, -3.0, 4.0, 5.0])
a = x[x > 0]
b = y[y > 1]
print(a * b)
s = torch.sum(a * b + where(a > 3.5, a, b)) + maximum(a, b).sum()
s.backward()
print(x.grad)
print(a + tensor([1.0, 2.0, 3.0]))

X = tensor([[3.0, -1.0], [5.0, 2.0], [-2.0, 4.0], [1.0, 1.0]], requires_grad=True)
p = X[X[:, 0] > 0]
q = X[X > 0]
print(p.max(), p.min(), p.amax(), p.argmax(), p.argmin())
v, i = p.max(dim=0)
print(v, i)
print(p.max(1), p.amax(0), p.amin(-1))
print(p.shape, p.size(), p.shape[0], p.size(0), p.size(1), p.shape[-1], len(p.shape))
n, m = p.shape
print(n, m, n * m, f"{p.shape} rows={p.shape[0]}")
print(p.sum() / p.shape[0], q.shape, q.numel(), q.ndim)
print(p.unsqueeze(0).shape, p.T, p.transpose(0, 1).shape, p.permute(1, 0).shape, p.flip(0))
print(p.flatten(), p.view(-1), p.reshape(-1, 1).shape, q.view(-1, 2), p.reshape(2, -1).shape)
print(p.squeeze(1).shape, p.movedim(0, 1).shape, p.flatten(1).shape)
v, i = q.sort(descending=True)
print(v, i, q.argsort(), q.cumsum(0))
s = (p.T * p.T).sum() + q.view(-1, 2).sum(1).max() + v.sum() + q.cumsum(0).sum() + p.flatten().sum() + p.max() + p.min(dim=1).values.sum()
s.backward()
print(X.grad)
e = X[X > 10]
E = X[X[:, 0] > 10]
print(E.amax(1), E.shape, e.view(-1, 2), e.shape, e.sort().values, e.cumsum(0))
# whole-number indices into a selection, known now or when the program runs, in a loop and a function
p = X[X[:, 0] > 0]
q = X[X > 0]
k = (X > 2).sum().item()
print(p[0], p[-1], p[1, 0], p[:, 1], q[0], q[-2], p[k - 2], q[k])
X.grad = None
s = p[0].sum() + p[-1, 1] * 3 + q[-2] * q[0] + p[:, 1].sum() + p[k - 2][0]
s.backward()
print(X.grad)
X.grad = None
total = 0.0
for i in range(3):
    r = X[X[:, 0] > i]
    total = total + r[0].sum() * r.shape[0] + r.max()

total.backward()
print(total, X.grad)
def f(x):
    r = x[x[:, 1] > 0]
    return r[-1, 0] * r.amax()

print(grad(f)(X.detach()))
# slices of a selection, their lengths clipped as PyTorch clips them when the program runs
X.grad = None
p = X[X[:, 0] > 0]
q = X[X > 0]
print(p[1:], p[:-1], p[::2], q[1:4], q[-2:], q[:k], q[k:], p[1:, 0], p[0, 1:], q[10:], p[:, :1])
s = (p[1:] * p[:-1]).sum() + q[::2].sum() * 2 + q[k - 1:].sum() + p[1:, 1].sum() + (q[:k] ** 2).sum()
s.backward()
print(X.grad)
# cat and stack of selections: the joined size the sum of the parts', -0.0 kept
x = tensor([3.0, -0.0, 5.0, -2.0, 4.0], requires_grad=True)
p = x[x >= 0]
r = X[X[:, 0] > 0]
print(cat([p, x]), cat([x[:2], p, p * 2]), cat([r, X], dim=0), cat([r, r], dim=1), stack([p, p * 2]), stack([r, -r], dim=2).shape)
e = x[x > 10]
print(cat([e, p]), cat([e, e]), stack([e, e]))
X.grad = None
s = (cat([p, x]) * arange(9.0)).sum() + cat([r, X]).sum() + (stack([p, p * 3], dim=1) ** 2).sum()
s.backward()
print(x.grad, X.grad)
# topk of a selection (k checked against its size when the program runs)
X.grad = None
q = X[X > 0]
p = X[X[:, 0] > 0]
print(q.topk(3), p.topk(1, dim=0), p.topk(2, dim=1, largest=False).values)
s = q.topk(2).values.sum() + p.topk(1, dim=0).values.sum()
s.backward()
print(X.grad)
