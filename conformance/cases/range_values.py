# PyTorch twin of range_values.tx
import torch; torch.set_default_dtype(torch.float64)
r = range(5)
print(r, len(r), r[0], r[-1], range(0, 10, 2), range(3, 0, -1), len(range(3, 0, -1)), range(2, 2))
print(list(range(3)), list(r), list(range(10, 0, -3)), list(range(0)))
print(f"{r} {len(range(1, 7, 2))} {list(range(2))}")
total = 0
for i in r:
    total += i
print(total)
w = torch.tensor([1.0, 2.0], requires_grad=True)
steps = range(3)
for k in steps:
    loss = (w * k).sum()
    loss.backward()
print(w.grad)
for i, v in enumerate(range(2, 5)):
    print(i, v)
for a, b in zip(range(3), [10, 20, 30]):
    print(a + b)
xs = list(range(3))
xs.append(3)
print(xs, [range(2)], (range(1, 2),))
x = torch.arange(6.0)
print(x[list(range(3))], x[range(2)])
print(not range(0), bool(range(1)) if False else 1)
n = len(x)
for i in range(n):
    print(i)
