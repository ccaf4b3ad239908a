# PyTorch twin of list_reverse_slice.tx
import torch
torch.set_default_dtype(torch.float64)
xs = [1, 2, 3, 4, 5]
t = ('a', 'b', 'c')
print(xs[::-1], xs[::-2], xs[3:0:-1], xs[-1:-4:-1], xs[10:-10:-1], xs[1::-1], xs[:1:-1], xs[0:3:-1], t[::-1], t[::2], t[5::-2])
x = torch.tensor([1.0, 2.0], requires_grad=True)
ws = [x, 2 * x, 3 * x]
total = 0
for i, w in enumerate(ws[::-1]):
    total = total + i * w
total.sum().backward()
print(total, x.grad, [w.shape for w in ws[::-1]], list(range(5))[::-1], sorted([3, 1, 2])[::-1])
