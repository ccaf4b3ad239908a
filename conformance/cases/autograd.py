# PyTorch twin of autograd.tx
import torch; torch.set_default_dtype(torch.float64)

def zero_grad(*ts):  # tx's zero_grad resets .grad to None
    for t in ts:
        t.grad = None

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
unused = torch.tensor([9.0], requires_grad=True)
print(x.grad, b.grad)
y = torch.sum(x ** 2) * b
torch.autograd.backward(y)
print(x.grad, b.grad)
print(unused.grad)
y = torch.sum(x ** 2) * b
y.backward()
print(x.grad)
print(b.grad)

zero_grad(x, b)
print(x.grad, b.grad)
v = x * b
torch.autograd.backward(v, torch.tensor([1.0, 2.0, 3.0]))
print(x.grad)
print(b.grad)
x.grad = None
print(x.grad)
v = x * b
v.backward(torch.ones(3))
print(x.grad)
print(b.grad)

zero_grad(x, b)
d = torch.detach(x * b)
e = (x * b).detach()
print(d, e)
print(d.requires_grad, e.requires_grad)
torch.sum(x * d).backward()
print(x.grad)
print(b.grad)

c = torch.tensor([2.0, -1.0])
print(c.requires_grad)
c.requires_grad_()
print(c)
print(c.requires_grad)
k = torch.linspace(0, 1, 3)
k.requires_grad_()
torch.sum(c ** 3).backward()
torch.sum(torch.exp(k)).backward()
print(c.grad)
print(k.grad)

zero_grad(x)
with torch.no_grad():
    frozen = x * 10
s = torch.sum(frozen * x)
print(s)
s.backward()
print(x.grad)

p = torch.tensor([1.0, 2.0])
print((p * 2).requires_grad, (p * x[:2]).requires_grad, torch.detach(x).requires_grad, frozen.requires_grad)
