# PyTorch twin of reduce_grad.tx
import torch; torch.set_default_dtype(torch.float64)
from _tx_reductions import sum, mean, prod, max, min, logsumexp, norm  # tx's reductions, mapped onto PyTorch

W = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
T = (torch.arange(12.) + 1).reshape(2, 2, 3) / 4
T.requires_grad_()
sum(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(sum(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(sum(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(sum(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
mean(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(mean(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(mean(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(mean(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
prod(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(prod(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(prod(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(prod(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
max(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(max(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(max(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(max(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
min(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(min(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(min(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(min(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
logsumexp(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(logsumexp(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(logsumexp(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(logsumexp(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
norm(W).backward()
print(W.grad)
W.grad = None  # tx: zero_grad(W)
sum(norm(W, dim=0) * torch.tensor([1.0, 2.0, 3.0])).backward()
print(W.grad)
W.grad = None
torch.autograd.backward(norm(W, dim=-1, keepdim=True), torch.tensor([[2.0], [0.5]]))
print(W.grad)
W.grad = None
sum(norm(T, dim=[0, 2]) * torch.tensor([1.0, 3.0])).backward()
print(T.grad)
T.grad = None
