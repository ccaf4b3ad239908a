# PyTorch twin of norm.tx
import torch; torch.set_default_dtype(torch.float64)

v = torch.tensor([3.0, 4.0], requires_grad=True)
n = torch.norm(v)
print(n)
n.backward()
print(v.grad)

M = torch.tensor([[3.0, 4.0, 12.0], [1.0, 2.0, 2.0]], requires_grad=True)
print(torch.norm(M.detach()))
print(torch.norm(M.detach(), dim=1))
print(torch.norm(M.detach(), dim=1, keepdim=True))
print(torch.norm(M.detach(), dim=0))

unit = M / M.norm(dim=1, keepdim=True)
print(unit)
torch.sum(unit * torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])).backward()
print(M.grad)
