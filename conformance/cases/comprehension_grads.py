# PyTorch twin of comprehension_grads.tx
import torch
torch.set_default_dtype(torch.float64)
from torch import tensor
from functorch import grad
w = tensor(2.0, requires_grad=True)
xs = [1.0, 2.0, 3.0]
s = torch.stack([w * x for x in xs])
print(s)
s.sum().backward()
print(w.grad)
weights = [tensor([1.0, -2.0], requires_grad=True), tensor([[0.5, 1.5], [-1.0, 3.0]], requires_grad=True)]
penalty = sum(p.pow(2).sum() for p in weights)
print(penalty)
penalty.backward()
print([p.grad for p in weights])
v = tensor([0.5, -1.0, 2.0], requires_grad=True)
picked = torch.cat([v[i:i + 1] * i for i in range(3) if i != 1])
print(picked)
(picked ** 2).sum().backward()
print(v.grad)
a = tensor([1.0, 2.0], requires_grad=True)
grid = torch.stack([torch.stack([a[i] * a[j] for j in range(2)]) for i in range(2)])
print(grid)
grid.sum().backward()
print(a.grad)
def loss(w, x):
    rows = [torch.tanh(x[i] @ w) for i in range(4) if i != 2]
    return sum(r * r for r in rows)
w3 = tensor([0.1, -0.2, 0.3])
X = tensor([[1.0, 2.0, 3.0], [0.5, 0.1, -1.0], [2.0, 2.0, 2.0], [-1.0, 0.0, 1.0]])
print(grad(loss)(w3, X))
theta = tensor([0.3, -0.4], requires_grad=True)
data = [tensor([1.0, 0.0]), tensor([0.0, 1.0]), tensor([1.0, 1.0])]
targets = [1.0, -1.0, 0.5]
for epoch in range(3):
    residuals = [(theta * xi).sum() - yi for xi, yi in zip(data, targets)]
    l = sum(r ** 2 for r in residuals) / len(residuals)
    l.backward()
    with torch.no_grad():
        theta -= 0.5 * theta.grad
    theta.grad.zero_()
    print(epoch, l)
print(theta)
