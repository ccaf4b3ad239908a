# PyTorch twin of for_collections.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, -6.0]], requires_grad=True)
total = torch.tensor(0.0)
for row in x:
    total = total + (row ** 2).sum() * row[0]
print(total)
total.backward()
print(x.grad)

for i, row in enumerate(x):
    print(i, row)
ws = torch.tensor([0.5, -1.0, 2.0])
acc = torch.tensor(0.0)
for wk, row in zip(ws, x):
    acc = acc + wk * row.sum()
print(acc)

a = torch.tensor(1.0)
b = torch.tensor(2.0)
for v in [a, b, a + b]:
    print(v * 10)
for i, v in enumerate((a, b)):
    print((i, v))
for p, q in zip([a, b], [b, a]):
    print(p - q)

# a hand-written SGD step over a list of parameters
w = torch.tensor([1.0, -2.0], requires_grad=True)
c = torch.tensor(0.5, requires_grad=True)
params = [w, c]
data = torch.tensor([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
target = torch.tensor([1.0, 0.0, 2.0])
lr = 0.1
for epoch in range(3):
    loss = ((data @ w + c - target) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    print(epoch, loss)
print(w, c)
print(params)
