# PyTorch twin of signed_zeros.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

# -0.0 first, then 0.0, nan, -1, 1 and ones: 16 elements, so that PyTorch's vector kernels run
x = torch.tensor([-0.0, 0.0, float("nan"), -1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0], requires_grad=True)
y = torch.sign(x)
print(y[:5].tolist())
y = F.gelu(x)
print(y[:2].tolist())
y = torch.asinh(x)
print(y[:2].tolist())
g, = torch.autograd.grad(y.sum(), x)
print(g[:2].tolist())
z = torch.zeros(16)
print(torch.maximum(x, z)[:2].tolist(), torch.maximum(z, x)[:2].tolist())
print(torch.minimum(x, z)[:2].tolist(), torch.minimum(z, x)[:2].tolist())
y = x ** 0.5
print(y[:2].tolist())
g, = torch.autograd.grad(y.sum(), x)
print(g[:2].tolist())
print((x ** -0.5)[:2].tolist(), (x ** -1)[:2].tolist(), (x ** -2)[:2].tolist(), (x ** 3)[:2].tolist())

# the exponents PyTorch computes by products, sqrt and reciprocals, to the last bit
u = torch.tensor([0.1, 0.7, 1.3, 2.9, 3.3, 5.1, 7.7, 11.3])
for p in [2, 3, -2, 0.5, -0.5, -1, 1.5, 4]:
    print(p, (u ** p).tolist())
v = u.clone().requires_grad_(True)
(v ** 3).sum().backward()
print(v.grad.tolist())
v.grad = None
(v ** 1.5).sum().backward()
print(v.grad.tolist())
