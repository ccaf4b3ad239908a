import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
x = torch.tensor([0.5, 2.5, 1.5])
y = x.long() - 1
print(y)
print(F.one_hot(y + 1, num_classes=3))
print(F.one_hot(y, num_classes=4))
