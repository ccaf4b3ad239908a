# PyTorch twin of run_time_lists.tx
import torch
torch.set_default_dtype(torch.float64)

w = torch.tensor([1.0, -2.0], requires_grad=True)
losses = []
for epoch in range(100):
    loss = ((w - 0.5) ** 2).sum() + 0.01
    if len(losses) > 1 and losses[-2] - losses[-1] < 0.05:
        print(f"early stop at epoch {epoch}: {losses[-2]:.4f} -> {losses[-1]:.4f}")
        break
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        w -= 0.3 * w.grad
        w.grad.zero_()
print(losses)
print(len(losses), losses[-1], losses[0])
t = torch.tensor(losses)
print(t)
print(t.mean(), t.max(), t.min(), t.sum())
print(sum(losses) / len(losses), max(losses), min(losses))
print(f"{len(losses)} losses: {losses}")

kept = [torch.tensor([9.0, 9.0])]
for i in range(6):
    if i % 2 == 0:
        kept.append(torch.tensor([i * 1.0, 2.0]))
print(kept, len(kept), kept[1], kept[-1])
s = torch.stack(kept)
print(s, s.sum())

odd = []
for i in range(5):
    if i % 2 == 1:
        odd.append(i)
    else:
        odd.append(-i)
    if len(odd) == 3:
        print("third", odd[-1], odd[0])
print(odd, max(odd), min(odd), sum(odd))
for v in odd:
    if v < 0:
        continue
    print("odd", v)

x = torch.tensor(2.0, requires_grad=True)
h = x
vals = []
while len(vals) < 3:
    h = h * 1.5
    vals.append(h.item())
h.backward()
print(vals, x.grad, torch.tensor(vals))

xs = [1, 2]
ys = xs + [3.5]
print(ys, [0.0] * 3)
xs[0] = 5
last = xs.pop()
print(xs, last, len(xs))
b = torch.tensor(0.5, requires_grad=True)
params = [w, b]
loss = (w * 3).sum() + b * 2
loss.backward()
with torch.no_grad():
    for i in range(len(params)):
        params[i] -= 0.5 * params[i].grad
print(w, b)
