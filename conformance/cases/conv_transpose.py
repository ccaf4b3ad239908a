# PyTorch twin of conv_transpose.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch.autograd.functional import hessian
tensor, ones, arange = torch.tensor, torch.ones, torch.arange
conv_transpose1d, conv_transpose2d = F.conv_transpose1d, F.conv_transpose2d
def sum(t): return t.sum()

x = (arange(1.0, 37.0).reshape(2, 3, 3, 2) * 0.1).requires_grad_()
w = (arange(1.0, 37.0).reshape(3, 2, 2, 3) * 0.05 - 0.4).requires_grad_()
bias = tensor([0.5, -1.0], requires_grad=True)
u = (arange(1.0, 13.0).reshape(1, 2, 6) * 0.25 - 1.0).requires_grad_()
v = (arange(1.0, 13.0).reshape(2, 3, 2) * 0.1 - 0.5).requires_grad_()

print(conv_transpose2d(x, w, bias, stride=2, padding=1, output_padding=1))
print(conv_transpose2d(x, w, stride=[1, 2], dilation=[2, 1]), conv_transpose2d(x[0], w, bias))
print(conv_transpose2d(x, ones(3, 1, 2, 2), groups=3), F.conv_transpose2d(x, w[:, :1], padding=[1, 0], stride=[2, 1], output_padding=[1, 0]).shape)
print(conv_transpose1d(u, v, stride=3, padding=1, output_padding=2), conv_transpose1d(u[0], v, dilation=2))

s = sum(conv_transpose2d(x, w, bias, stride=2, padding=1, output_padding=1) ** 2)
s.backward()
print(x.grad, w.grad, bias.grad)
s = sum(conv_transpose1d(u, v, stride=3, padding=1, output_padding=2) * arange(0.0, 51.0).reshape(1, 3, 17))
s.backward()
print(u.grad, v.grad)

def up(z, k):
    return sum(conv_transpose1d(z, k, stride=2) ** 3)
u0, v0 = u.detach().requires_grad_(), v.detach().requires_grad_()
print(torch.autograd.grad(up(u0, v0), u0)[0], hessian(up, (u.detach(), v.detach()))[0][0][0, 0, 1])
