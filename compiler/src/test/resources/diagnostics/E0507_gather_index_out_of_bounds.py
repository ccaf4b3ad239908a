import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
from torch import tensor, gather, index_select, argmax, arange
embedding = F.embedding
x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
i = argmax(x, dim=1, keepdim=True)
print(i)
print(gather(x, 1, i + 1))