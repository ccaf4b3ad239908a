# PyTorch twin of backward.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y_sum = y.sum()
y_sum.backward()
print(x.grad)
