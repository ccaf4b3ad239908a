# PyTorch twin of overload_forms.tx: PyTorch 1.13's positional overloads of var and std
# (var(x, unbiased), var(x, dim, unbiased, keepdim)), clamp with tensor bounds that make the result
# larger than its input, and scatter_add with a source larger than its index (only the index's
# corner of it is read)
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor

x = tensor([[1., 2., 4.], [3., 5., 9.]], requires_grad=True)
print(torch.var(x, 0, True), torch.var(x, 1, False), x.std(False), torch.var(x, True))
print(x.var(1, True, True))
print(torch.std(x, 0, False, True))
v = torch.var(x, 1, False)
v.sum().backward()
print(x.grad)
a = tensor([1., 5.], requires_grad=True)
c = torch.clamp(a, min=tensor([[0.], [3.]]))
print(c)
d = torch.clamp(a, tensor([[0.], [3.]]), tensor([4.]))
print(d)
(c.sum() + (d * d).sum()).backward()
print(a.grad)
i = tensor([[0, 1]])
src = tensor([[1., 2., 3.], [4., 5., 6.]])
z = torch.zeros(2, 3, requires_grad=True)
y = z.scatter_add(1, i, src)
print(y)
(y * torch.arange(6.).reshape(2, 3)).sum().backward()
print(z.grad)
