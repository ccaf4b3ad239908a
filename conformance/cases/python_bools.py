# PyTorch twin of python_bools.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([0.25, -1.5, 3.0], requires_grad=True)
y = x * 2
print(x.requires_grad, x.is_leaf, y.requires_grad, y.is_leaf)
print(2 < 3, 3 <= 2, 1 == 1.0, 2 != 2, 0.1 + 0.2 == 0.3, 1 < 2 < 3, 3 > 2 > 2)
print(x[0].item() > 0, x[1].item() >= 0, x[2].item() == 3, 0 < x[0].item() < 1, y.sum().item() != 3.5)
for i in range(4):
    print(i, i == 2, i % 2 == 0, i * 0.5, i // 2, -i, i + True)
with torch.no_grad():
    z = x * 2
    print(z.requires_grad)
if x[0].item() > 0:
    print("positive", x[0].item() > 0)
v = torch.tensor([1.0, 2.0], requires_grad=1 < 2)
print(v.requires_grad, v)
