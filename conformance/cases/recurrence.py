# PyTorch twin of recurrence.tx
import torch; torch.set_default_dtype(torch.float64)

r = torch.tensor(3.2, requires_grad=True)
p = torch.tensor(0.3)
for t in range(5):
    p = r * p * (1 - p)
print(p)
p.backward()
print(r.grad)

W = torch.tensor([[0.5, -0.3], [0.2, 0.4]], requires_grad=True)
b = torch.tensor([0.1, -0.2], requires_grad=True)
h = torch.tensor([1.0, 0.5])
for t in range(4):
    h = torch.tanh(W @ h + b)
print(h)
loss = torch.sum(h ** 2)
loss.backward()
print(W.grad)
print(b.grad)
