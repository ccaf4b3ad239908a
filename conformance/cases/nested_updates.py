# PyTorch twin of nested_updates.tx
import torch; torch.set_default_dtype(torch.float64)

X = torch.sin(torch.arange(20.0 * 3).reshape(20, 3))
y = torch.cos(torch.arange(20.0))
W = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
def updater(batch_size):
    return sgd([W], 0.1, batch_size)
def train(features, labels, upd):
    total = 0.0
    for i in range(0, 20, 8):
        xb, yb = features[i:min(i + 8, 20)], labels[i:min(i + 8, 20)]
        l = ((xb @ W - yb) ** 2).sum()
        l.backward()
        upd(xb.shape[0])
        total += l.item()
    return total
for epoch in range(3):
    print(f"{train(X, y, updater):.12f}")
print(W)
