import torch; torch.set_default_dtype(torch.float64)
from torch.nn.functional import layer_norm
from torch import arange, tensor
def sum(x): return torch.sum(x)
# PyTorch twin of layer_norm.tx; (v2) layer_norm over the last dimension with a weight and a bias, and over the last two with eps=: values,
# grad_fn and gradients as PyTorch 1.13 gives them.
x = ((arange(24) * 7 % 11 - 5) / 4).reshape(2, 3, 4)
x.requires_grad_()
w = tensor([1.0, -0.5, 2.0, 0.25], requires_grad=True)
b = tensor([0.1, 0.2, -0.3, 0.0], requires_grad=True)
y = layer_norm(x, [4], w, b)
z = layer_norm(x, [3, 4], eps=0.1)
print(y)
print(z)
(sum(y ** 3) + sum(z * x)).backward()
print(x.grad)
print(w.grad)
print(b.grad)
