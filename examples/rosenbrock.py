# PyTorch twin of rosenbrock.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([-1.0, 1.5, 0.5, 2.0], requires_grad=True)
f = torch.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
print(f)
f.backward()
print(x.grad)

with torch.no_grad():
    from_left = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    from_right = 200 * (x[1:] - x[:-1] ** 2)
    by_hand = torch.cat([from_left, torch.zeros(1)]) + torch.cat([torch.zeros(1), from_right])
print(by_hand)
torch.testing.assert_close(x.grad, by_hand, rtol=1e-5, atol=1e-8)  # tx: assert_close prints nothing when it holds
x.grad = None  # tx: zero_grad(x)

lr = 0.0005
for round in range(3):
    for step in range(50):
        f = torch.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
        f.backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad = None
    print(f)
print(x)
