import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
x = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]], requires_grad=True)
y = torch.tensor([1.5, 0.5]).long()
print(F.nll_loss(x, y - 1))
