# PyTorch twin of global_counter.tx: `global` in a function, as d2l's exponential_lr counts steps in the script's t
# (12.4): the function reads and assigns the script's name, from a loop at the script's level, a
# loop in another function, a function value, and under grad and vmap (a call counter); a
# function's other names are its locals, also where the script has the spelling
import torch
from functorch import grad, vmap
torch.set_default_dtype(torch.float64)
import math
t = 1
calls = 0
def exponential_lr():
    # Global variable that is defined outside this function and updated inside
    global t
    t += 1
    return math.exp(-0.1 * t)

def polynomial_lr():
    global t
    t += 1
    return (1 + 0.1 * t) ** (-0.5)

def constant_lr():
    return 1

def train(lr, steps):
    x = 5.0
    for i in range(steps):
        x -= 0.3 * lr() * 2 * x

    return x

def counted(x):
    global calls
    calls += 1
    return torch.sum(x * x * x)

def reset(value):
    global t, calls
    t, calls = value, 0

def local_t(x):
    t = x * 2  # a local: the script's t is untouched
    return t

print(exponential_lr(), t)
for epoch in range(3):
    eta = exponential_lr()
    print(epoch, f'{eta:.6f}', t)

print(f'{train(constant_lr, 10):.6f}', t)
print(f'{train(exponential_lr, 20):.6f}', t)
reset(1)
lr = polynomial_lr
print(f'{train(lr, 50):.6e}', t, calls)
x = torch.tensor([1.0, -2.0, 0.5])
print(grad(counted)(x), calls)
print(vmap(grad(counted))(torch.stack([x, 2 * x])), calls)
print(counted(x), calls, local_t(4.0), t)
