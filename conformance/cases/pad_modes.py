# PyTorch twin of pad_modes.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch.autograd.functional import hessian
nan, inf = float("nan"), float("inf")
def pad(x, p, mode="constant", value=None):
    return F.pad(x, p, mode=mode, value=value)
def sum(t):
    return t.sum()

x = torch.arange(1.0, 13.0).reshape(1, 3, 4).requires_grad_()
print(pad(x, [1, 2], mode="reflect"), pad(x, [3, 0], mode="reflect"), pad(x, [-1, 2], mode="reflect"), pad(x, [-2, -1], mode="reflect"))
print(pad(x, [1, 2], mode="replicate"), pad(x, [-1, 5], mode="replicate"))
print(pad(x, [4, 1], mode="circular"), pad(x, [-1, 2], mode="circular"), pad(x, [-2, -2], mode="circular"), pad(x, [-1, 3], mode="circular"))
print(pad(x, [2, 1, 1, 2], mode="reflect"), pad(x, [2, 1, 1, 0], mode="replicate"))
print(F.pad(x[0], [1, 1], mode="reflect"), F.pad(x[0], (2, 1), "replicate"), pad(x, [0, 0], mode="reflect", value=0.0))
y = torch.arange(1.0, 25.0).reshape(1, 2, 3, 4).requires_grad_()
print(pad(y, [1, 2, 2, 1], mode="circular"), pad(y, [1, 1, 2, 0], mode="reflect"), pad(y, [1, 1, 1, 1, 1, 1], mode="replicate"))
print(pad(y, [1, 0, 1, 1, 1, 0], mode="reflect"))
z = torch.arange(1.0, 17.0).reshape(1, 1, 2, 2, 4).requires_grad_()
print(pad(z, [1, 2, 1, 0, 0, 1], mode="circular"))
print(pad(torch.tensor([[1.0, nan, inf, -2.0]]), [2, 3], mode="reflect"), pad(torch.tensor([[1.0, nan, inf, -2.0]]), [2, 3], mode="replicate"))
print(pad(torch.tensor([[[1, 2, 3]]]), [1, 1], mode="circular"))

w = torch.arange(0.0, 7.0).reshape(1, 1, 7) * 0.5 - 1.0
s = sum(pad(x, [3, 0], mode="reflect") * w) + sum(pad(x, [-1, 4], mode="replicate") * w) + sum(pad(x, [2, 1], mode="circular") * w)
s.backward()
print(x.grad)
s = sum(pad(y, [1, 2, 2, 1], mode="circular") ** 2) + sum(pad(y, [3, 1, 2, 1], mode="reflect") * 0.5) + sum(pad(y, [0, 3, 2, 0], mode="replicate") ** 3)
s.backward()
print(y.grad)
s = sum(pad(z, [1, 2, 1, 0, 0, 1], mode="circular") ** 2) + sum(pad(z, [1, 2, 1, 0, 0, 1], mode="reflect") ** 2) + sum(pad(z, [3, -1, 1, 0, 2, 1], mode="replicate") ** 2)
s.backward()
print(z.grad)

def padded(v):
    return sum(pad(v, [2, 1], mode="reflect") ** 2) + sum(pad(v, [1, 3], mode="replicate") * pad(v, [2, 2], mode="circular"))
x0 = x.detach().requires_grad_()
print(torch.autograd.grad(padded(x0), x0)[0], hessian(padded, x.detach())[0, 0])
