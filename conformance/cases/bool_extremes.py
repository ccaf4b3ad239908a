# PyTorch twin of bool_extremes.tx: max and min along a dim of a bool tensor give bool values, as PyTorch
import torch
from torch import tensor, max, min, amax

m = tensor([[True, False], [False, False]])
print(max(m, 1))
print(max(m))
print(amax(m, 0))
print(min(m, dim=0).values)
k = tensor([[3, 1], [2, 5]])
print(max(k, 1))
print(max(k))
