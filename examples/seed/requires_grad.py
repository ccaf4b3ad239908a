# PyTorch twin of requires_grad.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
c = torch.tensor([4.0, 5.0, 6.0])
print(x.requires_grad)
print(c.requires_grad)
y = x * 2
print(y.requires_grad)
print(y)
z = c * 2
print(z.requires_grad)
print(z)
w = x * c
print(w.requires_grad)
print(w)
d = torch.detach(w)
print(d.requires_grad)
print(d)
print(x.grad)
