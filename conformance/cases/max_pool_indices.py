# PyTorch twin of max_pool_indices.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
inf, nan = float("inf"), float("nan")
tensor, flatten, gather, equal = torch.tensor, torch.flatten, torch.gather, torch.equal
max_pool1d, max_pool2d = F.max_pool1d, F.max_pool2d

x = tensor([[[[1.0, 5.0, 2.0, 0.0, 3.0], [4.0, 4.0, -1.0, 6.0, 2.0], [0.5, 7.0, 7.0, 1.0, -2.0], [2.0, 1.0, 3.0, 3.0, 8.0]],
             [[0.0, 0.0, 0.0, 0.0, 0.0], [1.0, nan, 2.0, nan, 1.0], [-3.0, -2.0, -1.0, -4.0, -5.0], [9.0, 8.0, 9.0, 8.0, 9.0]]]], requires_grad=True)
v, i = max_pool2d(x, 2, return_indices=True)
print(v, i)
print(max_pool2d(x, [2, 3], stride=[1, 2], padding=1, return_indices=True))
print(max_pool2d(x, 2, stride=2, dilation=[1, 2], ceil_mode=True, return_indices=True))
print(F.max_pool2d_with_indices(x, 3, 2, 1))
vu, iu = max_pool2d(x[0], 2, 1, return_indices=True)
print(vu, iu, iu.dtype, iu.requires_grad)
print(max_pool2d(tensor([[[-inf, -inf, -inf], [-inf, -inf, -inf]]]), 2, ceil_mode=True, return_indices=True))

r = tensor([[[1.0, 3.0, 2.0, nan, 5.0, nan, 0.0], [2.0, 2.0, 1.0, 0.0, 0.0, 4.0, 4.0]]], requires_grad=True)
print(max_pool1d(r, 3, 2, 1, return_indices=True))
print(F.max_pool1d_with_indices(r, 2), max_pool1d(r[0], 3, stride=1, dilation=2, return_indices=True))

s = (v * tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]])).sum()
s.backward()
print(x.grad)
flat = flatten(x, 2)
picked = gather(flat, 2, flatten(i, 2))
print(picked, equal(picked.reshape(v.shape), v))
x.grad = None
(picked ** 2).sum().backward()
print(x.grad)
