# PyTorch twin of grad_zero_.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
for step in range(3):
    loss = (x ** 2).sum() * (step + 1)
    loss.backward()
    print(step, x.grad)
    x.grad.zero_()
    print(x.grad)

# the older spelling through .data, and zero_() as a value
w = torch.tensor([0.5, -1.0], requires_grad=True)
(w * 3).sum().backward()
w.grad.data.zero_()
print(w.grad)
(w * w).sum().backward()
print(w.grad)
print(w.grad.zero_())

# zeroed, then accumulated into: a training loop written the old way
a = torch.tensor([2.0, -1.0], requires_grad=True)
for step in range(3):
    loss = ((a - 1) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        a -= 0.25 * a.grad
    a.grad.zero_()
    print(step, loss, a)
