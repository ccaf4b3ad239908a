# PyTorch twin of no_grad.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
print(y.requires_grad)
with torch.no_grad():
    z = x * 2
    print(z.requires_grad)
print(z)
u = x * 3
print(u.requires_grad)
print(u)
