# PyTorch twin of named_dims.tx: a named dimension is the size of the argument's axis.
import torch; torch.set_default_dtype(torch.float64)

def var1(x):
    n = x.shape[0]
    return torch.sum((x - torch.sum(x) / n) ** 2) / (n - 1)

def per_cell(a):
    n, m = a.shape
    return torch.sum(a) / (n * m)

def shadow(n):
    return torch.sum(n * 2)

x = torch.tensor([1.0, 2.0, 4.0, 7.0], requires_grad=True)
v = var1(x)
v.backward()
print(v, x.grad)
print(per_cell(torch.ones(2, 3) * 6))
print(shadow(torch.tensor([1.0, 2.0])))
