# PyTorch twin of loop_index.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
total = torch.tensor(0.0)
for i in range(3):
    total = total + x[i] * x[i]
print(total)
total.backward()
print(x.grad)
