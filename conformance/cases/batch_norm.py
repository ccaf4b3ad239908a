import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch.nn.functional import batch_norm
from torch import arange, tensor, zeros, ones
def sum(x): return torch.sum(x)
# PyTorch twin of batch_norm.tx; (v2) batch_norm (F.batch_norm): training with PyTorch's side effect (the running mean and the unbiased running
# variance updated in place, momentum 0.1 or given, seen through every name bound to them, carried by a loop and
# through a function that takes them, also under grad), evaluation with the running statistics, weight and bias, 2-d and 3-d
# inputs, no running statistics; values, grad_fn and gradients as PyTorch 1.13 gives them.
x = ((arange(24) * 7 % 11 - 5) / 4).reshape(4, 3, 2)
x.requires_grad_()
w = tensor([1.0, -0.5, 2.0], requires_grad=True)
b = tensor([0.1, 0.2, -0.3], requires_grad=True)
rm = zeros(3)
rv = ones(3)
alias = rm
y = batch_norm(x, rm, rv, w, b, training=True)
print(y)
print(rm, rv, alias)
y2 = F.batch_norm(x, rm, rv, training=True, momentum=0.3, eps=0.01)
print(y2)
print(rm, rv)
e = batch_norm(x, rm, rv, w, b)
print(e)
f = batch_norm(x[:, :, 0], None, None, training=True)
print(f)
g = torch.nn.functional.batch_norm(x[:, :, 1], running_mean=rm, running_var=rv, weight=w, training=False)
print(g)

rm2 = zeros(3)
rv2 = ones(3)
for i in range(3):
    z = batch_norm(x * (i + 1), rm2, rv2, training=True)
print(rm2, rv2)

def bn(t, m, v):
    return batch_norm(t, m, v, None, None, True, 0.5)
h = bn(x, rm2, rv2)
print(rm2, rv2)

def bnloss(t, m, v):
    return sum(batch_norm(t, m, v, training=True) ** 3)
for i in range(2):
    t = (x.detach() * (i + 2)).requires_grad_()
    gt, = torch.autograd.grad(bnloss(t, rm2, rv2), [t])
print(gt)
print(rm2, rv2)

loss = sum(y ** 2) + sum(y2 * x) + sum(e ** 3) + sum(f ** 2) + sum(g * 2) + sum(z * x) + sum(h ** 2)
loss.backward()
print(x.grad)
print(w.grad, b.grad)
