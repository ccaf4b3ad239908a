# PyTorch twin of random_dtypes.tx: dtype= on the random constructors: randint stores its whole numbers
# in the dtype asked for, rand/randn/rand_like draw floats (tx's generator is not PyTorch's, so
# only dtypes, shapes and facts print)
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, randint, rand, randn, rand_like
manual_seed = torch.manual_seed

_ = manual_seed(0)
print(randint(0, 2, (3,), dtype=torch.bool).dtype)
r = randint(0, 5, (3,), dtype=torch.float64)
print(r.dtype, r.shape, (r == r.floor()).all())
print(rand(2, dtype=torch.float64).dtype, randn(2, 3, dtype=torch.double).shape)
print(rand_like(tensor([1, 2]), dtype=torch.float64).dtype)
w = randint(0, 5, (2,), dtype=torch.float64, requires_grad=True)
print(w.requires_grad, w.is_leaf)
