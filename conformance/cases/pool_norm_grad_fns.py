# PyTorch twin of pool_norm_grad_fns.tx: the grad_fn of 2-d pooling an unbatched input is the pool's
# (1-d pooling and convolutions squeeze), and torch.norm over two dims with its default p is
# frobenius_norm, sqrt(sum(x x)): SqrtBackward0, with a nan gradient at a zero matrix
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch import tensor

x = torch.arange(16.0).reshape(1, 4, 4).requires_grad_()
print(F.max_pool2d(x, 2))
print(F.avg_pool2d(x, 2))
print(F.max_pool1d(x[0], 2))
print(F.avg_pool1d(x[0], 2))
F.max_pool2d(x, 2).sum().backward()
print(x.grad)
y = tensor([[3.0, 4.0], [1.0, 2.0]], requires_grad=True)
print(torch.norm(y, dim=(0, 1)), torch.norm(y, p="fro", dim=(0, 1)), torch.norm(y, p=2, dim=(0, 1)))
print(torch.norm(y), torch.norm(y, p="fro"), torch.norm(y, dim=(0, 1), keepdim=True))
torch.norm(y, dim=(0, 1)).backward()
print(y.grad)
z = torch.zeros(2, 2, requires_grad=True)
torch.norm(z, dim=(0, 1)).backward()
print(z.grad)
