# PyTorch twin of function_params.tx
import torch; torch.set_default_dtype(torch.float64)

def scale(x, factor=2.0, shift=0.0):
    return x * factor + shift
v = torch.tensor([1.0, 2.0, 3.0])
print(scale(v))
print(scale(v, 0.5))
print(scale(v, shift=1.0))
print(scale(shift=-1.0, x=v, factor=3))

def power_sum(x, k, normalise=False):
    total = x.sum() * 0
    for i in range(k):
        total = total + (x ** (i + 1)).sum()
    if normalise:
        total = total / k
    return total
print(power_sum(v, 3), power_sum(v, 3, normalise=True))

# a function reads the script's names as they are when it is called; gradients flow into them
w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
def predict(x):
    return (x * w).sum() + bias
bias = torch.tensor(0.25, requires_grad=True)
out = predict(v)
print(out)
out.backward()
print(w.grad, bias.grad)
bias = torch.tensor(10.0)
print(predict(v))

# d2l's sgd: the function changes its arguments in place, and the caller sees it
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
b = torch.tensor(0.0, requires_grad=True)
X = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
Y = torch.tensor([1.0, -2.0])
for epoch in range(3):
    l = ((X @ w + b - Y) ** 2 / 2).sum()
    l.backward()
    sgd([w, b], 0.1, 2)
    print(epoch, l)
print(w, b)

# built-ins as values, and a function that takes one
act = torch.tanh
print(act(v))
def layer(x, f):
    return f(x * 2)
print(layer(v, torch.relu), layer(v, act), layer(v - 2, torch.sigmoid))
for f in [torch.relu, torch.exp]:
    print(f(v - 2))
