# PyTorch twin of loop_reverse.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
h = x
for step in range(3):
    h = torch.sin(h) * 2 + x
torch.sum(h).backward()
print(h)
print(x.grad)

