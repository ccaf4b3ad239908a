# PyTorch twin of d2l_autograd.tx: "Automatic Differentiation", Dive into Deep Learning (d2l.ai),
# section 2.5 (chapter_preliminaries/autograd.md), PyTorch version, as written there except: each
# notebook cell's displayed value is printed, a fixed `a` instead of torch.randn(size=()) (a
# negative one, so f takes its else branch), and a last line printing `d` and `a.grad`.
import torch; torch.set_default_dtype(torch.float64)
x = torch.arange(4.0)
print(x)

# Can also create x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
print(x.grad)  # The gradient is None by default

y = 2 * torch.dot(x, x)
print(y)

y.backward()
print(x.grad)

print(x.grad == 4 * x)

x.grad.zero_()  # Reset the gradient
y = x.sum()
y.backward()
print(x.grad)

x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
print(x.grad)

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)

def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

a = torch.tensor(-0.3, requires_grad=True)
d = f(a)
d.backward()

print(a.grad == d / a)
print(d, a.grad)
