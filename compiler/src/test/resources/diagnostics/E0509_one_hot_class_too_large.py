import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
x = torch.tensor([0.5, 2.5, 1.5])
y = x.long()
print(F.one_hot(y, num_classes=3))
z = (x * 2).long()
print(F.one_hot(z, num_classes=3))
