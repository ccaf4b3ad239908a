# PyTorch twin of causal_mask.tx
import torch, math
import torch.nn.functional as F
from torch import tensor
torch.set_default_dtype(torch.float64)
mask = torch.tril(torch.ones(3, 3, dtype=torch.bool))
print(mask, ~mask)
s = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
m = s.masked_fill(~mask, -math.inf)
print(m, torch.softmax(m, dim=-1))
i = torch.arange(9).reshape(3, 3)
print(torch.triu(i, diagonal=1), torch.tril(i).dtype, F.pad(i, (1, 1), value=7), F.pad(tensor([True, False]), (1, 0)))
torch.softmax(m, dim=-1)[2, 0].backward()
print(s.grad)
