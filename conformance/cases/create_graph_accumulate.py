# PyTorch twin of create_graph_accumulate.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0], requires_grad=True)
c = torch.tensor([[1.0, 0.5], [2.0, -1.0], [0.3, 0.7]])
for i in range(3):
    (x ** 3 * c[i]).sum().backward(create_graph=True)
print(x.grad)
p = (x.grad ** 2).sum()
print(torch.autograd.grad(p, [x]))

w = torch.tensor([0.5, -0.3, 0.2], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
X = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0], [2.0, 0.0, -1.0], [1.0, 1.0, 1.0]])
Y = torch.tensor([1.0, 0.0, -1.0, 2.0])
for epoch in range(2):
    for i in range(0, 4, 2):
        loss = ((torch.tanh(X[i:i + 2] @ w + b) - Y[i:i + 2]) ** 2).mean()
        loss.backward(create_graph=True)
    print(epoch, w.grad, b.grad)
penalty = (w.grad ** 2).sum() + b.grad ** 2
penalty.backward()
print(w.grad)
print(b.grad)

v = torch.tensor([1.0, 2.0], requires_grad=True)
(v ** 2).sum().backward()
for i in range(3):
    (torch.sin(v) * v).sum().backward(create_graph=True)
print(v.grad)
print(torch.autograd.grad((v.grad * v.grad).sum(), [v]))
u = torch.tensor([0.4, -0.6], requires_grad=True)
torch.exp(u).sum().backward(create_graph=True)
for i in range(2):
    (u ** 4).sum().backward(create_graph=True)
print(u.grad)
print(torch.autograd.grad(u.grad[0] * u.grad[1], [u]))

a = torch.tensor([0.3, 0.9], requires_grad=True)
for i in range(1):
    torch.cos(a).sum().backward(create_graph=True)
print(a.grad)
for i in range(3):
    a.grad = None
    (a ** (i + 2)).sum().backward(create_graph=True)
print(a.grad)
print(torch.autograd.grad(a.grad.sum(), [a]))
