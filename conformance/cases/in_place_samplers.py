# The PyTorch twin of in_place_samplers.tx (float64 draws).
import torch
torch.set_default_dtype(torch.float64)
torch.manual_seed(3)
w = torch.empty(3, 4)
w.uniform_(-0.5, 0.5)
print(w)
b = torch.zeros(4, requires_grad=True)
with torch.no_grad():
    b.normal_(0, 0.1)
print(b)
W = torch.zeros(2, 2)
for i in range(2):
    W.data.normal_()
    print(W)
g = torch.Generator().manual_seed(1)
print(torch.empty(5).uniform_(generator=g))
loss = (b * torch.arange(4.0)).sum()
loss.backward()
print(b.grad)
