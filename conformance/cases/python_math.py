# PyTorch twin of python_math.tx
import math
import torch; torch.set_default_dtype(torch.float64)

d = 64
print(math.sqrt(d), math.exp(1.0), math.log(10), math.floor(2.7), math.ceil(-2.5), math.fabs(-3))
print(math.sin(math.pi / 2), math.cos(0), math.tanh(0.5), math.atan(1.0) * 4, math.log1p(1e-10))
x = torch.tensor([0.25, 4.0], requires_grad=True)
s = x.sum().item()
print(math.sqrt(s), math.floor(s), math.exp(-s))
w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * x).sum()
loss.backward()
with torch.no_grad():
    w -= w.grad * 0.5 / math.sqrt(d)
print(w, w.requires_grad)
with torch.no_grad():
    print((w * 2).requires_grad)
print(torch.full([2], -0.0), torch.zeros(2) * -1.0)
