# PyTorch twin of edges.tx
# NOTE: these are PyTorch's conventions at points where the derivative is not defined:
# relu'(0) = 0, abs'(0) = 0, clamp's gradient is 1 on its bounds, maximum/minimum split a tie 0.5/0.5,
# and max/min over all elements share the gradient evenly between tied entries.
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
torch.sum(torch.relu(x)).backward()
print(x.grad)
x.grad = None  # tx: zero_grad(x)
torch.sum(torch.abs(x)).backward()
print(x.grad)
x.grad = None
torch.sum(torch.clamp(x, min=0)).backward()
print(x.grad)
x.grad = None
torch.sum(torch.clamp(x, min=-1, max=1)).backward()
print(x.grad)
x.grad = None
y = torch.tensor([-1.0, 0.5, 1.0], requires_grad=True)
torch.sum(torch.maximum(x, y)).backward()
print(x.grad)
print(y.grad)
x.grad = None
y.grad = None
torch.sum(torch.minimum(x, y)).backward()
print(x.grad)
print(y.grad)
x.grad = None
y.grad = None
t = torch.tensor([3.0, 1.0, 3.0, 2.0], requires_grad=True)
torch.max(t).backward()
print(t.grad)
u = torch.tensor([1.0, 3.0, 1.0, 2.0], requires_grad=True)
torch.min(u).backward()
print(u.grad)
