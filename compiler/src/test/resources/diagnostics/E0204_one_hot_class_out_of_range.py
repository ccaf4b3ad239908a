import torch
import torch.nn.functional as F
y = torch.tensor([0, 2, 3])
print(F.one_hot(y, num_classes=3))
