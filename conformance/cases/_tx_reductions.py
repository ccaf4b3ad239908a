# Shared by the twins reduce.py and reduce_grad.py (not a twin itself: regen.sh skips names that start with _).
import torch

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
