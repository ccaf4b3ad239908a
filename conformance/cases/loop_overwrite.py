# PyTorch twin of loop_overwrite.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = torch.zeros(3)
a = 0
for i in range(3):
    h = x * i
    a = a + torch.sum(h)
print(h, a)
a.backward()
print(x.grad)
