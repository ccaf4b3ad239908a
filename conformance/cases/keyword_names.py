# PyTorch twin of keyword_names.tx
import torch
import torch.nn.functional as F
from torch import tensor, zeros, ones
torch.set_default_dtype(torch.float64)
x = tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
i = tensor([[0, 2], [1, 0]])
print(torch.linspace(0, 1, steps=3), torch.arange(start=1, end=5, step=2), torch.eye(n=2, m=3))
print(torch.randint(low=2, high=4, size=(6,)).shape, torch.topk(x, k=2).values, x.unsqueeze(dim=1).shape)
print(torch.gather(x, dim=1, index=i), torch.index_select(x, dim=0, index=tensor([1])), torch.transpose(x, dim0=0, dim1=1).shape)
print(x.repeat(repeats=(1, 2)).shape, torch.tile(x, dims=(2,)).shape, x.reshape(shape=(3, 2)).shape)
print(torch.cat(tensors=[x, x]).shape, torch.stack(tensors=[x, x], dim=1).shape)
print(torch.scatter_add(zeros(2, 3), dim=1, index=i, src=x[:, :2]), torch.take_along_dim(x, indices=i, dim=1))
print(torch.where(condition=x > 2, input=x, other=zeros(2, 3)))
W = tensor([[0.5, -1.0, 2.0]])
print(F.linear(x, weight=W, bias=tensor([0.1])))
print(F.conv1d(input=x.unsqueeze(0), weight=ones(1, 2, 2)), F.avg_pool1d(input=x.unsqueeze(0), kernel_size=2))
