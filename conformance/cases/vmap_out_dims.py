# functorch twin of vmap_out_dims.tx (functorch's vmap, PyTorch 1.13); branchy's `if` on a tensor is refused by
# functorch's vmap, so that one result loops over the examples and stacks along axis 1
import torch; torch.set_default_dtype(torch.float64)
from functorch import vmap, grad
X = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
def outer2(a): return torch.outer(a, a)
def two(a): return a * 2.0, a.sum()
print(vmap(outer2, out_dims=1)(X))
print(vmap(outer2, out_dims=-1)(X).shape)
print(vmap(outer2, out_dims=2)(X) == vmap(outer2)(X).transpose(0, 2).transpose(0, 1))
d, s = vmap(two, out_dims=(1, 0))(X)
print(d)
print(s)
d, s = vmap(two, out_dims=(-1, -1))(X)
print(d, s)
def loss(w, x): return torch.tanh(w * x).sum()
w = torch.tensor([0.5, -0.3, 0.2])
print(vmap(grad(loss), in_dims=(None, 0), out_dims=1)(w, X))
def branchy(x):
    if x.sum() > 2:
        assert x[0] > 0
        y = x * 2.0
    else:
        y = -x
    return y
print(torch.stack([branchy(x) for x in X], dim=1))
