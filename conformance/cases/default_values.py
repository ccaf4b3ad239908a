# A function's defaults are evaluated where its `def` runs, as Python does: a default that reads a
# name keeps the value the name had there, whatever the name holds at the call.
import torch
torch.set_default_dtype(torch.float64)

scale = 2.0
flag = True


def f(x, k=scale, on=flag):
    return x * k if on else x * 0.5


scale = 5.0
flag = False
print(f(torch.tensor([1.0, 3.0])))
print(f(torch.tensor([1.0]), 10.0, False))
steps = 3


def g(x, n=steps * 2):
    return x + n


steps = 100
print(g(torch.tensor(1.0)))
