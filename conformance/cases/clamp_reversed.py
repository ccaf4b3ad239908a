# Bounds the wrong way round: PyTorch's clamp is min(max(x, low), high), so hardtanh and clamp with
# min > max give max everywhere, and no gradient passes.
import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)

x = torch.tensor([-3.0, 0.0, 1.0, 1.5, 2.0, 5.0], requires_grad=True)
y = F.hardtanh(x, min_val=2.0, max_val=1.0)
print(y)
y.sum().backward()
print(x.grad)
x.grad = None
z = torch.clamp(x, min=2.0, max=1.0)
print(z)
z.sum().backward()
print(x.grad)
x.grad = None
h = F.hardtanh(x, -1.0, 1.0) + F.relu6(x * 3)
print(h)
h.sum().backward()
print(x.grad)
