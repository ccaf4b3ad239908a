# PyTorch twin of cumulative.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([[1.5, -2.0, 0.3, 4.0], [0.1, 0.2, 0.7, -1.1], [3.0, 0.5, -0.25, 2.0]], requires_grad=True)
z = torch.tensor([[2.0, 0.0, 3.0, -1.5, 0.5], [0.0, 1.5, 2.0, 0.0, 4.0], [1.5, -2.0, 0.5, 3.0, 0.0], [0.0, 0.0, 2.0, 1.0, 3.0]], requires_grad=True)
w = torch.tensor([0.5, -1.5, 2.0, 1.25, -0.75])
s0 = torch.tensor(2.5, requires_grad=True)

print(torch.cumsum(x, dim=1), torch.cumsum(x, 0), x.cumsum(dim=-1))
print(torch.cumprod(x, dim=1), torch.cumprod(x, 0), x.cumprod(-2))
print(torch.cumsum(s0, dim=0), torch.cumprod(s0, -1), torch.cumsum(torch.tensor([0.1, 0.2, 0.3, 0.4]), 0)[3].item())
print(torch.cumprod(z, dim=1), torch.cumsum(z, dim=0))
print(torch.cumsum(torch.tensor([1.0, float("inf"), -1.0, float("nan"), 2.0]), 0), torch.cumprod(torch.tensor([2.0, float("inf"), 0.0, 3.0]), 0))
print(torch.cumsum(torch.zeros(2, 0), dim=1).shape, torch.cumprod(torch.zeros(0, 3), dim=0).shape)

s = (torch.cumsum(x, dim=1) * w[:4]).sum() + (torch.cumsum(x, 0) ** 2).sum()
s.backward()
print(x.grad)
x.grad = None
s = (torch.cumprod(x, dim=1) * w[:4]).sum() + (torch.cumprod(x, 0) * x).sum()
s.backward()
print(x.grad, (x.grad * w[:4]).sum().item())
s = (torch.cumprod(z, dim=1) * w).sum()
s.backward()
print(z.grad, (z.grad * w).sum().item())
z.grad = None
s = (torch.cumprod(z, dim=0) * torch.arange(20.0).reshape(4, 5)).sum() + (torch.cumprod(z[:, :1], dim=1) * 3).sum()
s.backward()
print(z.grad)
s = torch.cumsum(s0, dim=0) * 2 + torch.cumprod(s0, dim=0) * 3
s.backward()
print(s0.grad)
inf, nan = float("inf"), float("nan")
q = torch.tensor([[2.0, inf, 0.5, 3.0], [2.0, nan, 0.5, 3.0], [inf, 0.0, 2.0, 1.0], [1.5, 0.0, inf, 2.0], [-inf, 2.0, 0.0, nan]], requires_grad=True)
s = (torch.cumprod(q, dim=1) * w[:4]).sum() + (torch.cumsum(q, dim=1) * w[1:]).sum()
s.backward()
print(q.grad)
