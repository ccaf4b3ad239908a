import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
p = (x.abs().max() / 2).item()
print(p)
print(F.dropout(x, p=p, training=False))
