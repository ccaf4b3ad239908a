# PyTorch twin of floor_remainder.tx
import torch; torch.set_default_dtype(torch.float64)
inf = float("inf")
a = torch.tensor([7.0, -7.0, 7.5, -0.5, 0.0], requires_grad=True)
b = torch.tensor([2.0, 2.0, -2.0, 2.0, 0.0], requires_grad=True)
r = a % b
print(r)
torch.sum(r).backward()
print(a.grad, b.grad)
q = a // b
print(q)
print(torch.tensor([7.0]) // 0, torch.tensor([7.0]) % 0, torch.tensor([-7.0]) // 2, torch.tensor([1e17]) % 3)
print(torch.tensor([7 // 2, -7 // 2, 7 % 3, -7 % 3, 7.5 // 2, -7.5 % 2, 7 % -3], dtype=torch.float64))
x = torch.tensor([1.5, -2.5, 3.0], requires_grad=True)
y = x % 2
torch.sum(y * torch.floor(x)).backward()
print(y, x.grad, torch.floor(x))
print(x.detach() // 2 * 2 + x % 2)
print(torch.tensor([1.0, -1.0, inf, -inf, 7.0, -7.0, 1.0, -1.0, -0.0]) // torch.tensor([0.1, 0.1, 2.0, 2.0, 0.0, 0.0, inf, inf, 2.0]), torch.tensor([1.0 // 0.1, -1.0 // 0.1]))
a = torch.tensor([1.0, -1.0, inf, 1.0, -1.0, 0.3], requires_grad=True)
b = torch.tensor([0.1, 0.1, 2.0, inf, inf, 0.1], requires_grad=True)
r = a % b
torch.sum(r).backward()
print(r, b.grad)
