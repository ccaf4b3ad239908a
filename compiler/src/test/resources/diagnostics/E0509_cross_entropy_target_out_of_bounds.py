import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
x = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3], [0.0, 1.0, 0.0]], requires_grad=True)
y = torch.tensor([0.5, 2.5, 1.5]).long()
print(F.cross_entropy(x, y))
print(F.nll_loss(x, y - 1, ignore_index=-1))
print(F.cross_entropy(x, y * 3))
