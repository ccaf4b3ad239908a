# PyTorch twin of tuple_appends.tx
import torch
torch.set_default_dtype(torch.float64)
x1 = 1.0
x2 = -2.0
results = [(x1, x2)]
for i in range(5):
    x1, x2 = x1 - 0.1 * 2 * x1, x2 - 0.1 * 4 * x2
    results.append((x1, x2))
print(results, len(results))
w = torch.tensor([1.0, -1.0], requires_grad=True)
history = []
for step in range(4):
    loss = (w * w).sum()
    history.append((step, loss.item(), w * 2))
    loss.backward()
    with torch.no_grad():
        w -= 0.25 * w.grad
    w.grad.zero_()
print(history)
for s, l, v in history:
    print(s, l, v.sum())
steps, losses, vs = zip(*history)
print(steps, losses, torch.tensor(results[1:3]))
pairs = [(0.0, 1.0)]
for i in range(3):
    pairs.append((i * 1.5, i * i))
    pairs.append(i)
print(pairs, len(pairs))
def powers(n):
    x = torch.tensor(2.0, requires_grad=True)
    out = []
    for i in range(n):
        y = x * x * (i + 1)
        out.append((i, y))
    out[-1][1].backward()
    return out, x.grad
print(powers(3))
