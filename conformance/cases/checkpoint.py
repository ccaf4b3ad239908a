# PyTorch twin of checkpoint.tx (checkpointing changes memory use, not values, so the twin has none)
import torch; torch.set_default_dtype(torch.float64)

W1 = torch.tensor([[0.5, -0.2, 0.1], [0.3, 0.4, -0.6], [0.0, 0.2, 0.7]], requires_grad=True)
W2 = torch.tensor([[0.2, 0.1, -0.3], [-0.5, 0.3, 0.2], [0.4, -0.1, 0.6]], requires_grad=True)
h = torch.tensor([1.0, -0.5, 0.25])
for t in range(6):
    a = torch.tanh(W1 @ h)
    b = torch.sin(W2 @ a) * a
    h = h + 0.5 * (b - h)
loss = (h ** 2).sum()
loss.backward()
print(loss)
print(W1.grad)
print(W2.grad)

x = torch.tensor([0.3, -0.8], requires_grad=True)
y = x
for k in range(4):
    y = torch.exp(-y * y) + x * 0.5
s = y.sum()
s.backward()
print(x.grad)
