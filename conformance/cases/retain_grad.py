# PyTorch twin of retain_grad.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.retain_grad()
z = y ** 2
z.retain_grad()
s = (z + y).sum()
print(y.grad, y.is_leaf, y, z)
s.backward(retain_graph=True)
print(y.grad)
print(z.grad)
print(x.grad)

# a later backward through y accumulates into y.grad, as into a leaf's
s2 = (y * 3).sum()
s2.backward()
print(y.grad, z.grad, x.grad)
y.grad.zero_()
print(y.grad)

# retain_grad on a leaf does nothing
x.retain_grad()
print(x.grad)

# in a loop: a fresh intermediate each iteration
w = torch.tensor([0.5, -1.0], requires_grad=True)
for step in range(2):
    h = torch.tanh(w * (step + 1))
    h.retain_grad()
    loss = (h ** 2).sum()
    loss.backward()
    print(step, h.grad, w.grad)
