# PyTorch twin of grad_assign.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0], requires_grad=True)
x.grad = torch.tensor([0.5, 0.5])
print(x.grad)
(x ** 2).sum().backward()
print(x.grad)
x.grad = None
print(x.grad)
(x * 3).sum().backward()
print(x.grad)
x.grad = torch.zeros(2)
(x * x * x).sum().backward()
print(x.grad)

# set before any backward, then used as a tensor in an update
w = torch.tensor([1.0, -1.0], requires_grad=True)
w.grad = torch.tensor([0.1, 0.2])
with torch.no_grad():
    w -= w.grad
print(w)
