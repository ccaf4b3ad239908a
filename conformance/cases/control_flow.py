# PyTorch twin of control_flow.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
W = torch.tensor([[0.2, -0.1, 0.4], [0.3, 0.2, -0.5], [0.1, 0.0, 0.3]], requires_grad=True)
h = x
for i in range(3):
    for j in range(2):
        h = torch.tanh(W @ h) + x * 0.5
    h = h * 1.5
loss = (h ** 2).sum()
loss.backward()
print(x.grad)
print(W.grad)
a = torch.tensor(1.5, requires_grad=True)
if a > 1:
    y = a * a * 3
else:
    y = -a
y.backward()
print(a.grad)
b = torch.tensor([0.3, -0.7, 1.2], requires_grad=True)
s = torch.tensor(0.0)
for k in range(3):
    if b[k] > 0:
        s = s + b[k] ** 3
    else:
        s = s - 2 * b[k]
s.backward()
print(b.grad)
def power_sum(v):
    p = v
    acc = torch.tensor(0.0)
    for k in range(4):
        p = p * v
        acc = acc + torch.sin(p).sum()
    return acc
v = torch.tensor([0.1, 0.2, -0.3], requires_grad=True)
print(torch.autograd.grad(power_sum(v), v)[0])
