import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
p = torch.tensor([0.2, 0.9, 0.5], requires_grad=True)
t = torch.tensor([0.0, 1.0, 1.0])
print(F.binary_cross_entropy(p, t))
print(F.binary_cross_entropy(p * 2, t))
