# PyTorch twin of keyword_arguments.tx
import torch
torch.set_default_dtype(torch.float64)
def opts(x, **kwargs):
    return x * kwargs.get('scale', 1.0), kwargs
def scaled(x, *, scale, shift=0.0):
    return x * scale + shift
def both(*xs, k=2, **rest):
    return sum(xs) * k, rest
x = torch.tensor([1.0, 2.0])
print(opts(x))
print(opts(x, scale=3.0, name='a', xs=1))
cfg = {'scale': 2.0, 'shift': 1.0}
print(scaled(x, **cfg))
print(scaled(x, scale=0.5), scaled(shift=-1.0, x=x, scale=2.0))
print(both(1, 2, 3), both(1, 2, k=3, z=4, xs=5))
f = lambda a, *, b=2, **kw: (a * b, kw)
print(f(3), f(3, b=4, c=5), f(**{'a': 1, 'c': 'x'}))
g = lambda *args, sep: len(args) * sep
print(g(1, 2, sep=10))
h = lambda **kw: len(kw)
print(h(), h(a=1, b=2))
print(torch.tensor([1.0, 2.0], **{'requires_grad': True}))
w = torch.tensor([0.5, -1.0], requires_grad=True)
loss = (scaled(w, scale=3.0, **{'shift': 2.0}) ** 2).sum() + opts(w, scale=w)[0].sum()
loss.backward()
print(loss, w.grad)
def inner(a=1, b=2):
    return a * 10 + b
def forward(**kw):
    return inner(**kw)
print(forward(), forward(b=5), forward(**{'a': 3}))
base = {'lr': 0.1, 'wd': 0.0}
cfg = dict(base, wd=1e-4)
print(dict(), dict(lr=0.1, momentum=0.9), cfg, base, dict([('a', 1), ('b', 2)]), dict(**base, steps=3), dict(zip(['x', 'y'], [1, 2])))
