# PyTorch twin of math_prod.tx
import math, numpy as np
import torch; torch.set_default_dtype(torch.float64)
print(math.prod((3, 4, 5)), math.prod([2, 0.5]), math.prod(()), np.prod((2, 3)), np.sqrt(2. / 48), math.prod(torch.ones(2, 3).shape))
shape = (20, 3, 4, 4)
print(np.sqrt(2. / np.prod(shape[1:])), math.prod([1.5, 2]) * 2, np.exp(0.5), math.prod(range(1, 6)))
