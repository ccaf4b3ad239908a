# PyTorch twin of lambda_defaults.tx
import torch
torch.set_default_dtype(torch.float64)
scale = lambda x, k=2: x * k
print(scale(3), scale(3, 10), scale(torch.tensor([1.0, 2.0]), k=0.5))
k = 3
mul = lambda x, k=k: x * k
k = 100
print(mul(2), (lambda x, k=k: x * k)(2))
total = lambda *xs: sum(xs)
print(total(), total(1, 2, 3), total(torch.tensor([1.0]), torch.tensor([2.0])))
first = lambda a, *rest: (a, rest, len(rest))
print(first(1), first(1, 2, 3))
xs = [1, 2, 3]
print(total(*xs), total(0.5, *xs))
fns = []
for i in [1, 2, 3]:
    fns.append(lambda x, i=i: x + i)
print(fns[0](10), fns[1](10), fns[2](10))
for j in range(3):
    f = lambda x, j=j: x * j
    print(f(torch.tensor([1.0, -1.0])))
def train(lr):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    step = lambda g, lr=lr: w - lr * g
    loss = (w * w).sum()
    loss.backward()
    return step(w.grad), step(w.grad, 1.0)
print(train(0.1))
def make_scaler():
    s = 3.0
    def scaler(x, k=s):
        return x * k
    s = 10.0
    return scaler(1.0), scaler(1.0, s)
print(make_scaler())
