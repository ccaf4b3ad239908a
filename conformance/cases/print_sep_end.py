# PyTorch twin of print_sep_end.tx
import torch
from torch import tensor
torch.set_default_dtype(torch.float64)
x = tensor([1.0, 2.0])
print(1, 2, sep=", ", end="!\n")
print("a", x, sep="")
print("no newline", end="")
print(" then", "this", sep="-")
print("", 3)
print(x.sum(), end=" | ")
print(sep=":")
print("done", end=None)
for i in range(3):
    print(i, end=" ")
print()
