# PyTorch twin of data.tx
import torch; torch.set_default_dtype(torch.float64)

w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
print(w.data, w.data.requires_grad, w.data.is_leaf)

# the classic update step, outside no_grad: .data is not recorded
loss = (w ** 2).sum()
loss.backward()
w.data -= 0.1 * w.grad
print(w)

# .data shares w's storage: a change through either is seen by the other
d = w.data
d.zero_()
print(w)
d += 1
print(w, d)
with torch.no_grad():
    w *= 3
print(d)
e = w.detach()
e -= 1
print(w, e)

# x.data = v gives w new storage: views taken before keep the old values
w.data = torch.tensor([5.0, 6.0, 7.0])
print(w, d)
w.grad = None
(w * w).sum().backward()
print(w.grad)

# .data of a result, and of a tensor that does not require grad
y = w * 2
print(y.data, y.data.requires_grad)
c = torch.tensor([1.0, 2.0])
c.data += 1
print(c)

# a training loop in the style of older tutorials
a = torch.tensor([0.5, -0.5], requires_grad=True)
target = torch.tensor([2.0, 1.0])
for step in range(4):
    loss = ((a * 2 - target) ** 2).sum()
    loss.backward()
    a.data -= 0.05 * a.grad.data
    a.grad.data.zero_()
    print(step, loss.item(), a)

# a view held across a loop changes its tensor in every iteration
v = torch.tensor([1.0, 1.0], requires_grad=True)
dv = v.data
for step in range(3):
    dv += step
    print(step, v)
(v * v).sum().backward()
print(v.grad)

# two names for one leaf, updated in place through one of them inside a loop
m = torch.tensor([2.0, 4.0], requires_grad=True)
alias = m
for step in range(2):
    with torch.no_grad():
        alias -= 0.5
print(m, alias)
