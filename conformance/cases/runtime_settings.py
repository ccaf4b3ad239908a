# PyTorch twin of runtime_settings.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch import tensor, arange, full, full_like, float64
from torch.nn.functional import leaky_relu, elu, hardtanh, dropout
inf, nan = float("inf"), float("nan")
x = tensor([-2.0, -0.5, -0.0, 0.0, nan, 2.0, inf, -inf, 0.5, 1.0, -1.0, 3.0, -3.0, 0.25, -0.25, 4.0], requires_grad=True)
s = tensor([0.25, 1.5, 0.0, 0.5], requires_grad=True)
g = arange(16.0)
for k in range(4):
    a = s[k].item()
    y = leaky_relu(x, a)
    print(a, y)
    y.backward(g)
    print(x.grad)
    x.grad = None
    e = elu(x, alpha=a)
    print(e)
    e.backward(g)
    print(x.grad)
    x.grad = None
    h = hardtanh(x, 0.1 - a, 1.0)
    print(h, hardtanh(x, min_val=-1.0, max_val=a + 0.5), hardtanh(x.long(), -a - 1, a + 1))
    h.backward(g)
    print(x.grad)
    x.grad = None
    p = F.pad(x, [1, 2], value=a)
    print(p, F.pad(x.long(), [2, 0], value=a + 1))
    p.backward(arange(19.0))
    print(x.grad)
    x.grad = None
    print(full([2, 3], a), full_like(x, a), full([2], k), full_like(x.long(), a + 1), full([2], k, dtype=float64))

print(dropout(x, p=s[2].item()).detach())
d = dropout(x, p=(s[2] + 1).item())
print(d)
d.sum().backward()
print(x.grad)
print(dropout(x, p=s[3].item(), training=False))
print(dropout(x[:4], p=s[3].item()).shape)
