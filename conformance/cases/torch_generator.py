# The PyTorch twin of torch_generator.tx (float64 draws).
import torch
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
print(torch.rand(5))
print(torch.randn(3))
print(torch.randn(1))
print(torch.randn(2, 2))
print(torch.randn(37))
print(torch.randn(16).sum())
print(torch.randint(0, 10, (7,)))
print(torch.randint(-3, 3, (2, 3)))
print(torch.randint(0, 2 ** 40, (3,)))
print(torch.randperm(10))
print(torch.randperm(1), torch.randperm(0))
x = torch.ones(2, 5)
print(torch.rand_like(x))
print(torch.randn_like(x))
print(torch.nn.functional.dropout(x, p=0.4))
print(torch.nn.functional.dropout(x, p=0.0), torch.rand(1))
print(torch.randn(4, generator=torch.Generator().manual_seed(7)), torch.rand(2))


def noisy(v):
    return v + 0.1 * torch.randn(3)


torch.manual_seed(42)
w = torch.randn(3, requires_grad=True)
total = torch.tensor(0.0)
for step in range(5):
    h = torch.nn.functional.dropout(noisy(w) * 2.0, p=0.25)
    total = total + (h * torch.rand(3)).sum()
total.backward()
print(total)
print(w.grad)

walks = []
for i in range(3):
    torch.manual_seed(i)
    walks.append(torch.randint(0, 100, (4,)))
print(walks)

torch.manual_seed(5)
s = torch.tensor(0.0)
n = 0
while s < 2.5:
    s = s + torch.rand(1).sum()
    n += 1
print(n, s)
if s > 3.0:
    print(torch.randn(2))
else:
    print(torch.rand(2))
print(torch.randn(2))

torch.manual_seed(11)
print(torch.normal(2.0, 3.0, (20,)))
print(torch.normal(0, 0.01, size=(3,)))
w = torch.normal(0, 1, size=(2, 1), requires_grad=True)
print(w)
m = torch.arange(4.0)
print(torch.normal(m, torch.full((4,), 0.5)), torch.normal(m, 2.0), torch.normal(1.0, torch.ones(2, 4)))
