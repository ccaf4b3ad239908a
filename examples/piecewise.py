# PyTorch twin of piecewise.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([-1.5, 0.25, 2.0, 0.75], requires_grad=True)
total = torch.tensor(0.0)
for k in range(4):
    if x[k] < 0:
        piece = -x[k] * 0.5
    else:
        if x[k] < 1:
            piece = x[k] ** 2
        else:
            piece = 2 * x[k] - 1
    total = total + piece * (k + 1)
print(total)
total.backward()
print(x.grad)

y = torch.tensor(3.0, requires_grad=True)
if y > 2:
    z = torch.sqrt(y) * y
else:
    z = y ** 3
z.backward()
print(z, y.grad)
