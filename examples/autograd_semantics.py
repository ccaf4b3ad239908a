# PyTorch twin of autograd_semantics.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
a = y
y += 1
print(a)
print(y)
y.sum().backward()
print(x.grad)
h = x
for i in range(3):
    print(h)
    h = h * 2
print(h)
for i in range(2):
    z = torch.tensor([3.0], requires_grad=True)
    print(z.grad)
    (z * z).sum().backward()
    print(z.grad)
w = torch.tensor(2.0, requires_grad=True)
for i in range(3):
    if i > 0:
        (w * i).backward()
    print(w.grad)
q = x.detach()
q.requires_grad_()
(q ** 3).sum().backward()
print(q.grad, q.is_leaf, x.grad)
print(x.T, x.shape)
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
print(m.T)
print(m[0], m[:, 1], m[-1, -1])
print(m.sum(0), m.mean(dim=1, keepdim=True))
