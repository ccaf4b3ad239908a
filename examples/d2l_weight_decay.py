# PyTorch twin of d2l_weight_decay.tx: "Weight Decay", Dive into Deep Learning (d2l.ai), section 3.7
# (4.5 in older editions), PyTorch version, "Implementation from Scratch": high-dimensional linear
# regression on 20 examples, trained without and with an L2 penalty. As written there, with d2l's
# synthetic_data, load_array (as 3.2's data_iter), linreg, squared_loss, sgd, Accumulator and
# evaluate_loss written out, except: data from data/make_weight_decay.py (50 inputs and 40 test
# examples instead of 200 and 100), the minibatches in order instead of shuffled, and the
# animator's points printed every 20 epochs (d2l plots them every 5).
import numpy as np
import torch; torch.set_default_dtype(torch.float64)


def load(path):
    return torch.from_numpy(np.load(path))


n_train, n_test, num_inputs, batch_size = 20, 40, 50, 5
train_data = (load("data/wd_train_X.npy"), load("data/wd_train_y.npy"))
test_data = (load("data/wd_test_X.npy"), load("data/wd_test_y.npy"))


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


class Accumulator:
    """For accumulating sums over `n` variables."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""
    metric = Accumulator(2)  # Sum of losses, no. of examples
    for X, y in data_iter:
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


def init_params():
    w = load("data/wd_init_w.npy").requires_grad_()  # torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def train(lambd):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    num_epochs, lr = 100, 0.003
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, *train_data):
            # The L2 norm penalty term has been added, and broadcasting
            # makes `l2_penalty(w)` a vector whose length is `batch_size`
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        if (epoch + 1) % 20 == 0:
            # animator.add(epoch + 1, (evaluate_loss(...), evaluate_loss(...))) in d2l
            print(f'epoch {epoch + 1}, train loss {evaluate_loss(net, data_iter(batch_size, *train_data), loss):.6f}, '
                  f'test loss {evaluate_loss(net, data_iter(batch_size, *test_data), loss):.6f}')
    print('L2 norm of w:', f'{torch.norm(w).item():.12f}')  # torch.norm(w).item() in d2l


train(lambd=0)
train(lambd=3)
