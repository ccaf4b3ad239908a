# PyTorch twin of max_ties.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([[3.0, 1.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
v = torch.max(x, dim=1).values
print(v)
v.sum().backward()
print(x.grad)
x.grad = None
torch.min(x, dim=1).values.sum().backward()
print(x.grad)
x.grad = None
x.max().backward()
print(x.grad)
x.grad = None
torch.amax(x, dim=[0, 1]).backward()
print(x.grad)
print(torch.max(x, 0, True), torch.min(x, dim=-1))
