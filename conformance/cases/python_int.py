# PyTorch twin of python_int.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([[1.5, -2.5], [3.0, 4.75]], requires_grad=True)
print(int(2.7), int(-2.7), int(True), int(7), int(-0.5))
print(int(x.sum()), int(x[0, 1]), int((x > 2).sum() > 0), int((x > 0).sum()))
n = int(x.max())
print(n, n * 2, n // 3, f"{n:4d}|")
print(int(torch.tensor([-3.99])), int(torch.tensor(5)))
