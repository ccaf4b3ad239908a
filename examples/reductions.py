# PyTorch twin of reductions.tx
import torch; torch.set_default_dtype(torch.float64)

M = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
print(torch.sum(M), torch.mean(M), torch.prod(M))
print(torch.max(M), torch.min(M))
print(torch.sum(M, dim=0))
print(torch.sum(M, dim=1, keepdim=True))
print(torch.mean(M, dim=-1))
print(torch.max(M, dim=0).values)  # tx's max(x, dim=) returns the values only
print(torch.min(M, dim=1, keepdim=True).values)
print(torch.prod(M, dim=1))
T = torch.arange(24.).reshape(2, 3, 4)
print(torch.sum(T, dim=[0, 2]))
print(torch.mean(T, dim=[0, 2], keepdim=True).shape)
print(torch.max(T, dim=-1).values)

W = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
torch.sum(torch.mean(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
torch.max(W, dim=1).values.sum().backward()
print(W.grad)
W.grad = None
torch.prod(W).backward()
print(W.grad)
