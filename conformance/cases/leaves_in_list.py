# PyTorch twin of leaves_in_list.tx
import torch; torch.set_default_dtype(torch.float64)

W = torch.zeros(3, 2)
b = torch.zeros(2)
params = [W, b]
for p in params:
    p.requires_grad_(True)
x = torch.tensor([1.0, 2.0, 3.0])
loss = ((x @ W + b - torch.tensor([1.0, -1.0])) ** 2).sum()
loss.backward()
print(W.grad, b.grad)
for p in params:
    print(p.is_leaf, p.requires_grad, p.grad.shape)
