# PyTorch twin of nn_tutorial.tx: the from-scratch part of PyTorch's tutorial "What is torch.nn
# really?" (Jeremy Howard, fast.ai; pytorch/tutorials, beginner_source/nn_tutorial.py, BSD-3),
# with deterministic synthetic 8x8 "images" in place of MNIST and its random initial weights.
import math
import torch; torch.set_default_dtype(torch.float64)

n, d, c = 200, 64, 10
x_train = (torch.sin(torch.arange(n * d) * 0.7).reshape(n, d) + 1) / 2
y_train = torch.argmax(x_train @ torch.cos(torch.arange(d * c) * 1.3).reshape(d, c), dim=1)
print(x_train.shape, y_train.min(), y_train.max())

weights = torch.cos(torch.arange(d * c) * 0.37).reshape(d, c) / math.sqrt(d)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)

def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)

def model(xb):
    return log_softmax(xb @ weights + bias)

bs = 64  # batch size

xb = x_train[0:bs]  # a mini-batch from x
preds = model(xb)  # predictions
print(preds[0], preds.shape)

def nll(input, target):
    return -input[range(target.shape[0]), target].mean()

loss_func = nll

yb = y_train[0:bs]
print(loss_func(preds, yb))

def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).double().mean()  # the tutorial writes .float(); tx has float64 only (its .float() is .double())

print(accuracy(preds, yb))

lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

print(loss_func(model(xb), yb), accuracy(model(xb), yb))
