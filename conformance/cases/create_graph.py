# PyTorch twin of create_graph.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 3).sum()
y.backward(create_graph=True)
print(x.grad)
print(x.grad.requires_grad)
g = x.grad
x.grad = None
g.sum().backward()
print(x.grad)

w = torch.tensor([0.5, -1.0], requires_grad=True)
loss = torch.tanh(w).pow(2).sum() + w[0] * w[1]
loss.backward(create_graph=True)
print(w.grad)
v = torch.tensor([1.0, 2.0])
gv = (w.grad * v).sum()
w.grad = None
gv.backward()
print(w.grad)

a = torch.tensor(2.0, requires_grad=True)
b = a ** 2
b.backward(create_graph=True)
c = a ** 3
c.backward(create_graph=True)
print(a.grad)
d = a.grad * 1.0
a.grad = None
d.backward()
print(a.grad)

s = torch.tensor([0.3, 0.7], requires_grad=True)
torch.sin(s).sum().backward(create_graph=True)
print(s.grad)
torch.exp(s).sum().backward(create_graph=True)
print(s.grad)
h = s.grad.sum()
s.grad = None
h.backward()
print(s.grad)

p = torch.tensor([1.0, -2.0], requires_grad=True)
for i in range(3):
    loss = (p ** 4).sum()
    loss.backward(create_graph=True)
    pen = (p.grad ** 2).sum()
    p.grad = None
    pen.backward()
    with torch.no_grad():
        p -= 0.001 * p.grad
    p.grad = None
print(p)

q = torch.tensor([1.5, 0.5], requires_grad=True)
out = q * q
out.backward(torch.tensor([1.0, 3.0]), create_graph=True)
print(q.grad)
q.grad.sum().backward()
print(q.grad)

# third derivatives: a backward(create_graph=True) through a gradient made the same way
r = torch.tensor([1.0, 2.0], requires_grad=True)
(r ** 4).sum().backward(create_graph=True)
g1 = r.grad
r.grad = None
g1.sum().backward(create_graph=True)
g2 = r.grad
print(g2)
r.grad = None
g2.sum().backward()
print(r.grad)

# torch.autograd.grad of a gradient that backward(create_graph=True) wrote
u = torch.tensor([0.5, 1.5], requires_grad=True)
(torch.sin(u) * u).sum().backward(create_graph=True)
hu = torch.autograd.grad(u.grad.sum(), [u])[0]
print(hu)
print(u.grad)

# through a loop
z = torch.tensor([1.0, 2.0], requires_grad=True)
hz = z
for i in range(3):
    hz = torch.tanh(hz * 0.5)
hz.sum().backward(create_graph=True)
print(z.grad)
z.grad.sum().backward()
print(z.grad)
