# PyTorch twin of parameter_kinds.tx
import torch; torch.set_default_dtype(torch.float64)

def flatten(x):
    N = x.shape[0]
    return x.view(N, -1)

def f(x, w):
    return (x * w).sum()

def report(split, acc):
    print('accuracy on the %s set: %.2f' % (split, acc))

print(flatten(torch.ones(2, 3, 4)).shape, flatten(torch.arange(10.0).reshape(5, 2)))
w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
l = f(torch.ones(2, 3), w) + f(torch.arange(3.0), w) + f(torch.tensor(2.0), w)
l.backward()
print(l, w.grad)
report('val', 0.8125)
report('test', 1.0)
