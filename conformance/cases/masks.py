# PyTorch twin of masks.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from functorch import vmap

x = torch.tensor([1.0, -2.0, 3.0, -4.0, 5.0], requires_grad=True)
y = x[x > 0]
print(y, y.sum(), y.mean())
s = (y * y).sum()
s.backward()
print(x.grad)

X = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-5.0, 6.0]], requires_grad=True)
W = torch.tensor([[0.5], [-1.0]], requires_grad=True)
rows = X[X[:, 0] > 0]
h = rows @ W
loss = (h * h).mean()
print(rows, h, loss)
loss.backward()
print(X.grad, W.grad)
v = X[X > 2]
print(v * 2 + 1, torch.log(v), v.prod(), v.var(), v.std(unbiased=False))
print(X[:, X[0] > 0], X[X > 100].sum(), X[X > 100].mean())

feats = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-5.0, 6.0], [0.5, 0.25]])
labels = torch.tensor([0, 1, 1, 0])
train = torch.tensor([True, False, True, True])
w = torch.tensor([[0.1, -0.2], [0.3, 0.4]], requires_grad=True)
for epoch in range(3):
    out = feats @ w
    l = F.cross_entropy(out[train], labels[train])
    l.backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
        w.grad.zero_()
    print(epoch, l)

u = torch.tensor([1.0, -1.0, 2.0, -3.0], requires_grad=True)
for i in range(3):
    z = u * (i + 1.0)
    pos = z[z > 0]
    q = (pos * pos).sum() + pos.mean()
    q.backward()
print(u.grad)
u.grad = None
total = 0.0
for i in range(3):
    z = u * (i - 1.0)
    pos = z[z > 0]
    total = total + (pos * pos).sum() + torch.log(pos).mean()
total.backward()
print(total, u.grad)

def f(x):
    p = x[x > 0]
    return (p * p * p).sum() + p.mean()
a = torch.tensor([0.5, -2.0, 3.0, 1.0], requires_grad=True)
print(f(a), torch.autograd.grad(f(a), a)[0])
print(torch.autograd.functional.hessian(f, a))
print(torch.autograd.functional.jvp(f, a, torch.tensor([1.0, 1.0, 1.0, 1.0])))
print(torch.stack([f(r) for r in torch.tensor([[0.5, -2.0, 3.0, 1.0], [-1.0, -2.0, 3.0, -1.0], [1.0, 2.0, 3.0, 4.0]])]))

m = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-5.0, 6.0]], requires_grad=True)
p = m[m > 0]
print(len(p), p.numel(), len(m[m[:, 0] > 0]), m[m[:, 0] > 0].numel())
print(torch.masked_select(m, m > 1), torch.masked_select(m, torch.tensor([True, False])))
print(torch.nonzero(m > 1), torch.nonzero(torch.tensor([0.0, 1.0, 2.0])), torch.nonzero(m < -10))
print(torch.nonzero(m > 1, as_tuple=True))
ms = torch.masked_select(m, m > 1).sum()
ms.backward()
print(m.grad)

def criterion(pred, target):
    n = pred.shape[0]
    return F.cross_entropy(pred, target) + 0.0 * n
def sq(v):
    return v * v
xu = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-5.0, 6.0]], requires_grad=True)
yu = torch.tensor([0, 1, 1])
mu = xu[:, 0] > 0
lu = criterion(xu[mu], yu[mu])
print(lu, sq(xu[xu > 0]), sq(xu[xu > 0]).sum())
lu.backward()
print(xu.grad)

xa = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-5.0, 6.0]], requires_grad=True)
ya = xa * 1.0
ya[ya > 0] = ya[ya > 0] ** 0.5
print(ya)
za = xa * 2.0
ma = za[:, 0] > 0
za[ma] = torch.relu(za[ma] - 3.0)
print(za)
wa = xa + 0.0
wa[:, wa[0] > 0] *= wa[:, wa[0] > 0]
print(wa)
(ya.sum() + za.sum() + wa.sum()).backward()
print(xa.grad)
