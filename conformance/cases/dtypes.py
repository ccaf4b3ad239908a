# PyTorch twin of dtypes.tx
import torch; torch.set_default_dtype(torch.float64)
nan = float("nan")

i = torch.tensor([0, 2, 1])
m = torch.tensor([[1, -20], [300, 4]])
t = torch.tensor([True, False, True])
f = torch.tensor([1.5, -2.0, 0.25])
print(i, m, t, torch.tensor(3), torch.tensor(False))
print(torch.arange(5), torch.arange(2, 11, 3), torch.arange(5.0), torch.arange(0, 1, 0.25))
print(i.dtype, f.dtype, t.dtype, (i > 0).dtype, i.dtype == torch.int64, f.dtype == torch.float64, t.dtype == torch.long)
print(torch.zeros(2, 3, dtype=torch.int64), torch.ones(3, dtype=torch.bool), torch.full([2], 7), torch.full([2], 2.5), torch.full([3], True))
print(torch.tensor([1, 2], dtype=torch.float64), torch.tensor([0.7, -1.9, 0.0], dtype=torch.int64), torch.arange(4, dtype=torch.float64))
print(f.long(), f.bool(), i.double(), i.double(), t.long(), i.to(torch.bool), f.to(torch.int64), i.to(torch.float64))
print(torch.tensor([-2.5, 2.7, nan, 0.0, -0.0]).long(), torch.tensor([0.0, nan, -0.0, 3.0]).bool())

# promotion
print(i * 2, i * 2.5, i + f, t + 1, t + t, t * t, i + t, t * 1.5)
print(i / 2, i / torch.tensor([2, 4, 4]), i // 2, (-i) // 2, i % 2, i ** 2, i ** 0.5, torch.tensor([5, -7]) % 3)
print(-i, torch.abs(torch.tensor([-3, 2])), torch.exp(i), torch.sqrt(i), torch.floor(i), torch.sign(torch.tensor([-3, 0, 2])))
print(torch.sum(t), torch.sum(i), t.sum(), torch.cumsum(t, 0), torch.cumsum(i, dim=0), torch.prod(i + 1), torch.max(m), torch.amax(i))
print(i.sum().item(), t.sum().item() + 1, (i > 0).sum().item(), f.sum().item())

# comparisons, masks
print(f > 0, i == 2, f <= torch.tensor([1.5, 0.0, 1.0]), m != 4)
print(f * (f > 0), torch.where(f > 0, f, 0.0), torch.where(t, i, 10), f.masked_fill(f < 0, 0.0), torch.masked_fill(i, t, -1))
print(torch.zeros(0, dtype=torch.int64), torch.zeros(0, 2, dtype=torch.bool), torch.zeros(0), torch.arange(0))
print(torch.zeros(2000, dtype=torch.int64), torch.arange(1200))

# gradients through masks and promotions
w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = w * (w > 0) + w * i + w / torch.tensor([1, 2, 4]) + torch.where(t, w, 0.0)
print(y)
y.sum().backward()
print(w.grad)
print(f"{i.dtype} {i} {t.sum().item()} {(i > 0).sum()}")
