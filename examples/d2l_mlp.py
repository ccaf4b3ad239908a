# PyTorch twin of d2l_mlp.tx: "Implementation of Multilayer Perceptrons from Scratch", Dive into
# Deep Learning (d2l.ai), section 5.2 (4.2 in older editions), PyTorch version, with the training
# loop of d2l's train_epoch_ch3 and its from-scratch updater `lambda batch_size: d2l.sgd(params, lr,
# batch_size)`, as written there except: a small deterministic data set (12 "images" of 2 x 2
# pixels, 3 classes) instead of Fashion-MNIST, deterministic initial weights instead of
# torch.randn, plain sums instead of d2l's Accumulator, and the updater as a def (tx has no lambda).
import torch; torch.set_default_dtype(torch.float64)
from torch import nn

num_inputs, num_outputs, num_hiddens = 4, 3, 8

W1 = torch.sin(torch.arange(num_inputs * num_hiddens).reshape(num_inputs, num_hiddens) * 1.1) * 0.5
W1.requires_grad_()
b1 = torch.zeros(num_hiddens, requires_grad=True)
W2 = torch.cos(torch.arange(num_hiddens * num_outputs).reshape(num_hiddens, num_outputs) * 0.9) * 0.5
W2.requires_grad_()
b2 = torch.zeros(num_outputs, requires_grad=True)

params = [W1, b1, W2, b2]

def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)

def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X@W1 + b1)  # Here '@' stands for matrix multiplication
    return (H@W2 + b2)

def sgd(params, lr, batch_size):  #@save
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

num_epochs, lr = 10, 0.5

def updater(batch_size):
    return sgd(params, lr, batch_size)

images = torch.sin(torch.arange(48).reshape(12, 2, 2) * 0.37) + torch.tensor([[0.5, 0.0], [0.0, -0.5]])
labels = torch.tensor([0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 2, 1])
batch_size = 4

for epoch in range(num_epochs):
    total, n = 0.0, 0
    for X, y in zip(images.split(batch_size), labels.split(batch_size)):
        y_hat = net(X)
        l = nn.functional.cross_entropy(y_hat, y, reduction='none')
        l.sum().backward()
        updater(X.shape[0])
        total += float(l.sum())
        n += y.numel()
    if epoch % 3 == 2:
        print(f'epoch {epoch + 1}, loss {total / n:.4f}')

with torch.no_grad():
    print(torch.softmax(net(images[:3]), dim=1))
print(W2.grad, b1)
