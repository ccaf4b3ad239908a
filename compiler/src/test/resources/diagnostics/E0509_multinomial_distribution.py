import torch
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
w = torch.randn(3)
print(torch.multinomial(w, 2, replacement=True))
