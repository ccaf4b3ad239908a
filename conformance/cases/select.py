# PyTorch twin of select.tx
import torch; torch.set_default_dtype(torch.float64)

def f64(t):
    return t.to(torch.float64)  # tx comparisons give float 0./1. tensors

def t(x):
    return torch.tensor(float(x))  # tx numbers are float64 scalar tensors

a = torch.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
v = torch.tensor([0.5, 0.0, -1.0])
print(torch.maximum(a, v))
print(torch.minimum(a, v))
print(torch.maximum(a, t(2)))
print(torch.minimum(t(-1), v))
print(torch.clamp(a, min=0))
print(torch.clamp(a, max=2))
print(torch.clamp(a, min=-3, max=3))
print(a.clamp(min=-1.5, max=2.5))
print(torch.where(a > 0, a, v))
print(torch.where(v != 0, t(10), t(-10)))  # tx: a float condition is true where non-zero
print(torch.where(a >= 3, t(1), t(0)))
print(torch.sign(a))
print(torch.sign(v))
print(f64(a < v))
print(f64(a <= 1))
print(f64(a > v))
print(f64(a >= -4))
print(f64(a == 5))
print(f64(v != 0))
print(f64(torch.tensor(2.0) > 1))
print(f64(a > 0) * a)

A = torch.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]], requires_grad=True)
V = torch.tensor([0.5, 0.25, -1.0], requires_grad=True)
G = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

def zero_grad(*ts):
    for x in ts:
        x.grad = None

torch.autograd.backward(torch.maximum(A, V), G)
print(A.grad)
print(V.grad)
zero_grad(A, V)
torch.autograd.backward(torch.minimum(A, V), G)
print(A.grad)
print(V.grad)
zero_grad(A, V)
torch.autograd.backward(torch.clamp(A, min=0.5), G)
print(A.grad)
zero_grad(A)
torch.autograd.backward(torch.clamp(A, max=2.5), G)
print(A.grad)
zero_grad(A)
torch.autograd.backward(A.clamp(min=-3.5, max=4.5), G)
print(A.grad)
zero_grad(A)
torch.autograd.backward(torch.where(A > V, torch.exp(A / 2), V * 3), G)
print(A.grad)
print(V.grad)
zero_grad(A, V)
c = f64(A > 0)
print(c.requires_grad)
torch.sum(torch.sign(A) * A).backward()
print(A.grad)
zero_grad(A)
torch.sum(torch.maximum(A, t(0)) + torch.minimum(A, t(0)) * 0.1).backward()
print(A.grad)
