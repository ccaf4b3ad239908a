# PyTorch twin of function_calls.tx
import torch; torch.set_default_dtype(torch.float64)
F = torch.nn.functional

def layer(w, x):
    h = torch.tanh(w @ x + 0.5)
    h = h * torch.sigmoid(h) + torch.sin(h) * torch.cos(x)
    h = h + torch.exp(-h * h) * x
    h = torch.log(1 + h * h) + torch.sqrt(torch.abs(h) + 1)
    h = h / (1 + torch.abs(h)) + F.softplus(h) - torch.relu(h - 0.2)
    return h * 0.9 + torch.tanh(h) * 0.1 + (h ** 2) * 0.01

def net(w, x):
    a = layer(w, x)
    b = layer(w, a)
    c = layer(w, b * 0.5)
    return (c * c).sum() + a.sum()

w = torch.tensor([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]], requires_grad=True)
x = torch.tensor([0.3, -0.8, 1.1])
l = net(w, x)
l.backward()
print(l)
print(w.grad * 1000)
w1 = w.detach().clone().requires_grad_(True); x1 = x.clone().requires_grad_(True)
gw, gx = torch.autograd.grad(net(w1, x1), [w1, x1])
print(gw * 1000)
print(gx * 1000)
w2 = w.detach().clone().requires_grad_(True); x2 = x.clone().requires_grad_(True)
g, = torch.autograd.grad(net(w2, x2), [x2], create_graph=True)
hw, hx = torch.autograd.grad((g * torch.tensor([1.0, -2.0, 0.5])).sum(), [w2, x2])
print(hw * 1000)
print(hx * 1000)

def cell(h, w, x):
    a = w @ h + x
    b = torch.tanh(a) * torch.sigmoid(a * 0.5) + torch.sin(a) * 0.1 + torch.exp(-a * a) * 0.2
    c = b / (1 + torch.abs(b)) + F.softplus(b) * 0.1 + torch.log(1 + b * b) * 0.05
    return c * 0.5 + torch.cos(c) * 0.25 + torch.sqrt(torch.abs(c) + 1) * 0.05

xs = torch.tensor([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9], [1.0, -1.1, 0.2], [0.3, 0.3, -0.3]])
h = torch.zeros(3)
for t in range(5):
    h = cell(h, w, xs[t])
w.grad = None
loss = (h * h).sum()
loss.backward()
print(loss)
print(w.grad)

def piece(x):
    y = x
    for k in range(3):
        y = torch.tanh(y) * 0.5 + torch.sin(y) * 0.25 + x * 0.1 + torch.exp(-y * y) * 0.1 + torch.log(1 + y * y) * 0.05
    if y.sum() > 0:
        y = y * torch.sigmoid(y) + F.softplus(y) * 0.1 + torch.sqrt(torch.abs(y) + 1) * 0.2
    else:
        y = torch.cos(y) * y + y ** 3 * 0.1 + torch.relu(y) + torch.abs(y) * 0.2 + torch.tanh(y * 2)
    return y

def two(x):
    a = piece(x) * 2 + torch.tanh(x)
    return a * 0.5 + torch.sin(a) * 0.1, (piece(x * 0.5) * a).sum() * 0.25

p = torch.tensor([0.3, -0.2, 0.5, 0.1], requires_grad=True)
q = torch.tensor([-0.3, -0.2, -0.5, 0.1], requires_grad=True)
a, b = two(p)
s = (a * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum() + b
s.backward()
print(p.grad)
c, d = two(q)
(c.sum() * d).backward()
print(q.grad)
