# PyTorch twin of run_time_batches.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor
import torch.nn.functional as F
x = torch.reshape(torch.sin(torch.arange(0.0, 200.0) * 0.37), [4, 2, 5, 5])
w = torch.reshape(torch.cos(torch.arange(0.0, 54.0) * 0.21), [3, 2, 3, 3]).requires_grad_()
bias = tensor([0.1, -0.2, 0.3], requires_grad=True)
x.requires_grad_()
keep = x.sum(dim=[1, 2, 3]) > 0.5
xb = x[keep]
print(xb.shape)
h = F.conv2d(xb, w, bias, padding=1)
p = F.max_pool2d(torch.relu(h), 2)
q = h * 0.5
c1 = F.conv1d(xb[:, :, 0, :], w[:, :, 0, :], stride=2)
print(p.shape, q.shape, c1.shape)
loss = p.sum() + (q ** 2).mean() + c1.sum()
loss.backward()
print(loss, w.grad.sum(dim=[2, 3]), bias.grad, x.grad.sum(dim=[1, 2]))
