# PyTorch twin of growing_lists.tx
import torch; torch.set_default_dtype(torch.float64)
xs = []
ys = xs
xs.append(1)
xs.append(torch.tensor([1.0, 2.0]))
xs += [2.5, True]
xs.extend((3, 4))
print(xs, len(ys), xs[1:3], xs[-1])

w = torch.tensor([0.5, -1.0], requires_grad=True)
losses = []
outs = []
for epoch in range(4):
    loss = ((w * 2.0 - 1.0) ** 2).mean()
    losses.append(loss.item())
    outs.append(w * epoch)
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
print(losses)
print(len(losses), losses[-1], losses[0])
print(f"first {losses[0]:.3f}, last {losses[-1]:.5f}")
print(outs)
s = torch.stack(outs)
print(s)
c = torch.cat(outs)
c.sum().backward()
print(w.grad)
for v in losses:
    print(v > 1)

W = torch.tensor([[0.5, -0.2], [0.1, 0.3]], requires_grad=True)
x = torch.tensor([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
H = torch.zeros(2)
outputs = []
for t in range(3):
    H = torch.tanh(W @ H + x[t])
    outputs.append(H)
Y = torch.stack(outputs)
Y.sum().backward()
print(Y)
print(W.grad)
print(outputs[1])

rows = []
for i in range(2):
    for j in range(3):
        rows.append(i * 10 + j)
    rows.append(-1)
print(rows, len(rows))
vals = []
for i in range(3):
    for j in range(2):
        vals.append(torch.ones(2) * i + j)
print(torch.cat(vals))
print(vals[3])
for epoch in range(2):
    batch = []
    for j in range(3):
        batch.append(epoch + j)
    print(batch, len(batch))

empty = []
for i in range(0):
    empty.append(i)
print(empty)
ints = [10]
for i in range(2, 8, 2):
    ints.append(i)
    ints += [i > 3]
print(ints)

def make(n):
    out = []
    for i in range(3):
        out.append(i * 2 + n)
    return out
print(make(3), make(1)[-1])
