# PyTorch twin of python_scalars_flow.tx
import torch; torch.set_default_dtype(torch.float64)

def run(step, n, hook=None):
    a, b = 3, 0
    for i in range(n):
        if hook:
            a, b = step(a, b, hook)
        else:
            a, b = step(a, b)
    return a, b

def halve(a, b):
    return a / 2, 0

def scaled(a, b, hook):
    return hook(a), b + 1

def twice(v):
    return 2 * v

def shape_of(shape):
    if len(shape) == 2:
        fan_in = shape[0]
    else:
        fan_in = undefined_name(shape[1:])
    return fan_in

print(run(halve, 4), run(scaled, 3, hook=twice), run(halve, 0))
print(shape_of((6, 2)))
xs = []
if xs:
    print('not empty')
else:
    print('empty', 'yes' if [1] else 'no', 'yes' if range(0) else 'no')
