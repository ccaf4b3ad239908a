# PyTorch twin of vmap.tx (PyTorch 1.13 has no torch.func.vmap: the twin loops over the examples and stacks)
import torch; torch.set_default_dtype(torch.float64)
w = torch.tensor([0.5, -0.3, 0.2])
X = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0], [2.0, 0.0, -1.0], [1.0, 1.0, 1.0]])
Y = torch.tensor([1.0, 0.0, -1.0, 2.0])
def loss(w, x, y): return ((w * x).sum() - y) ** 2
per = []
for i in range(4):
    wr = w.clone().requires_grad_(True)
    per.append(torch.autograd.grad(loss(wr, X[i], Y[i]), wr)[0])
per = torch.stack(per)
print(per)
print(torch.norm(per, dim=1))
print(torch.stack([loss(w, X[i], Y[i]) for i in range(4)]))
print(torch.stack([torch.outer(a, a) for a in X[:2]]))
