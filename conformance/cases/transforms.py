# PyTorch twin of transforms.tx (tx's transforms computed with torch.autograd.grad)
import torch; torch.set_default_dtype(torch.float64)
from torch.autograd import grad
x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True); w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True); g = torch.tensor([1.0, 0.5, -1.0])
y = torch.sin(x) * w
print(grad(y, x, g, retain_graph=True)[0])
gx, gw = grad(y, (x, w), g)
print(gx, gw)
a = torch.tensor(3.0, requires_grad=True); b = torch.tensor(2.0, requires_grad=True)
(ga,) = grad(a * a * b, a, create_graph=True)
print(grad(ga, b)[0])
v = a * a * b
ga, gb = grad(v, (a, b))
print(v.detach(), ga, gb)
p = torch.tensor(2.0, requires_grad=True)
print(grad(p * p * 5.0, p)[0])
print(p * p * torch.tensor(5.0))
