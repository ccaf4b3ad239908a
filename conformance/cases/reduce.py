# PyTorch twin of reduce.tx
import torch; torch.set_default_dtype(torch.float64)

# tx's reductions all take dim= (an int or a list) and keepdim=; these helpers map them onto PyTorch.
def _dims(x, dim):
    if dim is None:
        return list(range(x.dim()))
    return [dim] if isinstance(dim, int) else list(dim)

def _one_by_one(f, x, dim, keepdim):
    # for PyTorch reductions that take a single int dim: reduce the dims one at a time
    dims = sorted(d % x.dim() for d in _dims(x, dim))
    for d in reversed(dims):
        x = f(x, d, True)
    if not keepdim:
        for d in reversed(dims):
            x = x.squeeze(d)
    return x

def sum(x, dim=None, keepdim=False):
    return torch.sum(x, dim=_dims(x, dim), keepdim=keepdim)

def mean(x, dim=None, keepdim=False):
    return torch.mean(x, dim=_dims(x, dim), keepdim=keepdim)

def prod(x, dim=None, keepdim=False):
    return _one_by_one(lambda t, d, k: torch.prod(t, dim=d, keepdim=k), x, dim, keepdim)

def max(x, dim=None, keepdim=False):
    # no ties in these inputs, so amax and max have the same gradient
    return torch.amax(x, dim=_dims(x, dim), keepdim=keepdim)

def min(x, dim=None, keepdim=False):
    return torch.amin(x, dim=_dims(x, dim), keepdim=keepdim)

def logsumexp(x, dim=None, keepdim=False):
    return torch.logsumexp(x, dim=_dims(x, dim), keepdim=keepdim)

def norm(x, dim=None, keepdim=False):
    return torch.linalg.vector_norm(x, dim=dim, keepdim=keepdim)

M = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
T = (torch.arange(12.) + 1).reshape(2, 2, 3) / 4
print(sum(M))
print(sum(M, dim=0))
print(sum(M, dim=-1, keepdim=True))
print(sum(T, dim=[0, 2]))
print(sum(T, dim=[-1, 1], keepdim=True))
print(list(sum(T, dim=1).shape))
print(list(sum(M, keepdim=True).shape))
print(mean(M))
print(mean(M, dim=0))
print(mean(M, dim=-1, keepdim=True))
print(mean(T, dim=[0, 2]))
print(mean(T, dim=[-1, 1], keepdim=True))
print(list(mean(T, dim=1).shape))
print(list(mean(M, keepdim=True).shape))
print(prod(M))
print(prod(M, dim=0))
print(prod(M, dim=-1, keepdim=True))
print(prod(T, dim=[0, 2]))
print(prod(T, dim=[-1, 1], keepdim=True))
print(list(prod(T, dim=1).shape))
print(list(prod(M, keepdim=True).shape))
print(max(M))
print(max(M, dim=0))
print(max(M, dim=-1, keepdim=True))
print(max(T, dim=[0, 2]))
print(max(T, dim=[-1, 1], keepdim=True))
print(list(max(T, dim=1).shape))
print(list(max(M, keepdim=True).shape))
print(min(M))
print(min(M, dim=0))
print(min(M, dim=-1, keepdim=True))
print(min(T, dim=[0, 2]))
print(min(T, dim=[-1, 1], keepdim=True))
print(list(min(T, dim=1).shape))
print(list(min(M, keepdim=True).shape))
print(logsumexp(M))
print(logsumexp(M, dim=0))
print(logsumexp(M, dim=-1, keepdim=True))
print(logsumexp(T, dim=[0, 2]))
print(logsumexp(T, dim=[-1, 1], keepdim=True))
print(list(logsumexp(T, dim=1).shape))
print(list(logsumexp(M, keepdim=True).shape))
print(norm(M))
print(norm(M, dim=0))
print(norm(M, dim=-1, keepdim=True))
print(norm(T, dim=[0, 2]))
print(norm(T, dim=[-1, 1], keepdim=True))
print(list(norm(T, dim=1).shape))
print(list(norm(M, keepdim=True).shape))
print(sum(M, dim=[0, 1]), max(M, dim=1), mean(M, dim=0))
