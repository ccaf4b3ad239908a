# PyTorch twin of closures.tx
import torch
from functorch import grad, vmap
torch.set_default_dtype(torch.float64)
def linreg(X, w, b):
    return X @ w + b
def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
def evaluate(net, loss, X, y):
    return loss(net(X), y).mean()
def train(lr):
    w = torch.tensor([[0.5], [-0.5]], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    net, loss = lambda X: linreg(X, w, b), squared_loss
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [0.5, -1.0]])
    y = torch.tensor([[1.0], [2.0], [0.0]])
    for epoch in range(3):
        l = loss(net(X), y).sum()
        l.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        print(epoch, evaluate(net, loss, X, y))
    def scaled(X):
        return 2 * net(X)
    return scaled
s = train(0.05)
print(s(torch.tensor([[1.0, 1.0]])))
sq = lambda x: x * x
print(sq(3), sq(torch.tensor([1.0, 2.0])), grad(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0])))
k = 2.0
mul = lambda x: k * x
k = 3.0
print(mul(1.0), vmap(lambda v: (v * v).sum())(torch.tensor([[1.0, 2.0], [3.0, 4.0]])))
def fit(x0):
    A = torch.tensor([[2.0, 0.5], [0.5, 1.0]])
    def quad(x):
        return 0.5 * x @ A @ x
    g = grad(quad)
    x = x0
    for i in range(3):
        x = x - 0.1 * g(x)
    A = 2 * A  # the closure reads A at each call: the new A from here on
    return x, quad(x)
print(fit(torch.tensor([1.0, -1.0])))
adders = [lambda v: v + 1, lambda v: v * 10]
print(adders[1](adders[0](2)))
