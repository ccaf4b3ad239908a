# PyTorch twin of control_flow.tx
import torch; torch.set_default_dtype(torch.float64)

def t(v):
    return torch.tensor(float(v))  # tx's loop variable and numbers are float64 scalar tensors

total = torch.zeros(2)
for i in range(4):
    total = total + i
    print(t(i))
print(total)
for i in range(2):
    for j in range(3):
        last = t(i) * 10 + j
print(last)

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
s = torch.sum(x)
if s > 1:
    label = t(1)
else:
    label = t(-1)
print(label)
if s > 5:
    y = torch.sum(x ** 2)
    y.backward()
elif s > 0:
    y = torch.sum(x ** 3)
    y.backward()
else:
    y = torch.sum(x)
    y.backward()
print(y)
print(x.grad)
if 0:
    print("not printed")
if torch.tensor(0.5):
    print("printed")

x.grad = None  # tx: zero_grad(x)
for k in range(3):
    loss = torch.sum(x * (k + 1))
    loss.backward()
print(x.grad)
x.grad = None
for k in range(3):
    if k > 0:
        torch.sum(x ** 2).backward()
print(x.grad)

w = torch.tensor([2.0, -1.0], requires_grad=True)
for step in range(3):
    loss = torch.sum(w ** 2)
    loss.backward()
    with torch.no_grad():
        w -= 0.25 * w.grad
        w *= 2
        w += torch.tensor([0.5, 0.5])
        w /= 2
    w.grad = None
    print(w)
