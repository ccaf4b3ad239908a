# PyTorch twin of d2l_softmax_regression.tx (see its header for the source and the changes)
import torch; torch.set_default_dtype(torch.float64)

def synthetic_images(n, phase):
    # n "images" of 2 x 2 pixels in 3 classes: a bright pixel (or row) per class, plus a ripple
    labels = torch.arange(n) * 7 % 3
    patterns = torch.tensor([[[0.9, 0.0], [0.0, 0.0]], [[0.0, 0.9], [0.0, 0.0]], [[0.0, 0.0], [0.9, 0.9]]])
    images = torch.sin(torch.arange(n * 4).reshape(n, 2, 2) * 0.37 + phase) * 1.1 + patterns[labels]
    return images, labels

batch_size = 8
train_images, train_labels = synthetic_images(20, 0.0)
test_images, test_labels = synthetic_images(12, 1.0)

num_inputs = 4
num_outputs = 3

torch.manual_seed(0)  # not in d2l: unseeded, PyTorch's numbers change from run to run
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print((X.sum(0, keepdim=True), X.sum(1, keepdim=True)))

def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # The broadcasting mechanism is applied here

X = torch.cos(torch.arange(10).reshape(2, 5) * 1.7)  # torch.normal(0, 1, (2, 5)) in d2l: see the header
X_prob = softmax(X)
print((X_prob, X_prob.sum(1)))

def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])

def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])

print(cross_entropy(y_hat, y))

def accuracy(y_hat, y):  #@save
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

print(accuracy(y_hat, y) / len(y))

def evaluate_accuracy(net, features, labels):
    """Compute the accuracy for a model on a dataset."""
    correct, total = 0.0, 0.0  # No. of correct predictions, no. of predictions
    with torch.no_grad():
        for i in range(0, len(labels), batch_size):
            X, y = features[i:min(i + batch_size, len(labels))], labels[i:min(i + batch_size, len(labels))]
            correct += accuracy(net(X), y)
            total += y.numel()
    return correct / total

print(evaluate_accuracy(net, test_images, test_labels))

def train_epoch_ch3(net, features, labels, loss, updater):
    """The training loop defined in Chapter 3."""
    # Sum of training loss, sum of training accuracy, no. of examples
    total_loss, total_acc, n = 0.0, 0.0, 0.0
    for i in range(0, len(labels), batch_size):
        X, y = features[i:min(i + batch_size, len(labels))], labels[i:min(i + batch_size, len(labels))]
        # Compute gradients and update parameters
        y_hat = net(X)
        l = loss(y_hat, y)
        # Using custom built optimizer & loss criterion
        l.sum().backward()
        updater(X.shape[0])
        total_loss += float(l.sum())
        total_acc += accuracy(y_hat, y)
        n += y.numel()
    # Return training loss and training accuracy
    return total_loss / n, total_acc / n

def sgd(params, lr, batch_size):  #@save
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

lr = 0.3

def updater(batch_size):
    return sgd([W, b], lr, batch_size)

num_epochs = 10
# train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, updater) in d2l: its body, at
# the script's level here (see the header)
for epoch in range(num_epochs):
    train_metrics = train_epoch_ch3(net, train_images, train_labels, cross_entropy, updater)
    test_acc = evaluate_accuracy(net, test_images, test_labels)
    print(f"epoch {epoch + 1}, loss {train_metrics[0]:.6f}, train acc {train_metrics[1]:.3f}, test acc {test_acc:.3f}")
train_loss, train_acc = train_metrics
assert train_loss < 0.5, train_loss
assert train_acc <= 1 and train_acc > 0.7, train_acc
assert test_acc <= 1 and test_acc > 0.7, test_acc

def predict_ch3(net, features, labels, n=6):
    """Predict labels (defined in Chapter 3)."""
    X, y = features[0:batch_size], labels[0:batch_size]
    trues = y
    preds = net(X).argmax(axis=1)
    print(trues[0:n], preds[0:n])

predict_ch3(net, test_images, test_labels)
print(W, b)
