# PyTorch twin of requires_grad_attr.tx
import torch; torch.set_default_dtype(torch.float64)

w = torch.tensor([1.0, -2.0, 3.0])
print(w.requires_grad)
w.requires_grad = True
print(w, w.requires_grad, w.is_leaf)
loss = (w ** 2).sum()
loss.backward()
print(w.grad)
w.requires_grad = False
print(w, w.requires_grad)
print((w * 2).requires_grad)

# an alias sees the change, as both names are the same tensor
b = torch.zeros(2)
alias = b
b.requires_grad = True
print(alias.requires_grad)
(alias * torch.tensor([3.0, 4.0])).sum().backward()
print(b.grad)

# requires_grad_(False) and requires_grad_(True), method and keyword forms
c = torch.tensor([2.0, 5.0], requires_grad=True)
c.requires_grad_(False)
print(c.requires_grad)
c.requires_grad_(requires_grad=True)
print(c)
(c ** 3).sum().backward()
print(c.grad)

# a fresh leaf in each iteration of a loop
for i in range(2):
    p = torch.ones(2) * (i + 1)
    p.requires_grad = True
    (p ** 2).sum().backward()
    print(i, p.grad)
