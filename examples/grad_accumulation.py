# PyTorch twin of grad_accumulation.tx
import torch; torch.set_default_dtype(torch.float64)

w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
x1 = torch.tensor([1.0, 2.0, 3.0])
x2 = torch.tensor([0.5, -1.0, 2.0])
print(w.grad)
loss1 = torch.sum(w * x1) ** 2
loss1.backward()
print(w.grad)
loss2 = torch.sum(w ** 2 * x2)
loss2.backward()
print(w.grad)

w.grad = None  # tx: zero_grad(w)
print(w.grad)
total = torch.sum(w * x1) ** 2 + torch.sum(w ** 2 * x2)
total.backward()
print(w.grad)

w.grad = None
for batch in range(2):
    part = torch.mean((w * x1 - x2) ** 2) / 2
    part.backward()
print(w.grad)
with torch.no_grad():
    w -= 0.1 * w.grad
print(w)
