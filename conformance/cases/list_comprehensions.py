# PyTorch twin of list_comprehensions.tx
import torch
torch.set_default_dtype(torch.float64)
from torch import tensor
xs = [1.0, 2.0, 3.0]
print([x * 2 for x in xs])
print([i * 2 for i in range(5) if i % 2 == 0])
print([i for i in range(10) if i % 2 == 1 if i > 3])
print([(i, j) for i in range(3) for j in range(i) if j != 1])
print([(i, j) for i in range(3) if i > 0 for j in range(2)])
print([[i * j for j in range(3)] for i in range(2)])
print([[a + b for b in range(a)] for a in range(4)])
x = 5
print([x for x in range(3)], x)
pairs = [(1, 2.0), (3, 4.0)]
print([a * b for a, b in pairs])
print([(k, (a, b)) for k, (a, b) in enumerate(pairs)])
names = ["a", "b", "c"]
print([f"{i}:{n}" for i, n in enumerate(names)])
print([n * k for n, k in zip(names, [1, 2, 3])])
d = {"lr": 0.1, "wd": 3}
print([k for k in d], [d[k] for k in d if k != "wd"])
print(len([1 for _ in range(7)]), [])
for v in [i * i for i in range(3)]:
    print(v)
print(sum(y * y for y in xs), sum([1, 2, 3]))
print(any(v > 2 for v in xs), all(v > 2 for v in xs), any(v > 5 for v in xs))
print(max(v * 2 for v in xs), min(v - 1 for v in xs))
print(tuple(v + 1 for v in xs), tuple(xs), tuple([]), tuple(range(3)))
print(list(v * v for v in range(4)))
print(sum(v for v in range(4)), sum([v for v in range(4)]))
t = tensor([[1.0, 2.0], [3.0, 4.0]])
print([t[i].sum() for i in range(len(t))])
print(torch.stack([t[i] * i for i in range(2)]))
print(torch.cat([t[i] for i in range(2) if i > 0]))
def scaled(x, ks):
    parts = [x * k for k in ks if k != 0]
    return torch.stack(parts).sum(0)
print(scaled(tensor([1.0, -1.0]), [0, 1, 2]))
total = tensor(0.0)
for step in range(3):
    parts = [t[i, j] * step for i in range(2) for j in range(2) if i != j]
    total = total + sum(parts)
print(total)
