# PyTorch twin of cs231n_barebones.tx: "Part II. Barebones PyTorch" of the PyTorch notebook of
# Stanford's CS231n, assignment 2 (cs231n.github.io): a two-layer fully-connected ReLU network
# written with tensors and autograd only (flatten, two_layer_fc, random_weight with Kaiming's
# scaling, check_accuracy_part2, train_part2 with its SGD step under torch.no_grad()). As written
# there except: float64 (the default dtype set below), no device (CPU), images of 3 x 4 x 4 pixels in
# 3 classes from data/make_cs231n.py instead of CIFAR-10 (so 48 inputs, 20 hidden units, 3 classes,
# and learning rate 5e-2), the loaders as lists of minibatches of 8 (DataLoader in the notebook),
# torch.manual_seed(0) before the weights are drawn, and `split` passed in (the notebook reads
# loader.dataset.train).
import numpy as np
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

dtype = torch.float64
print_every = 2


def load(path):
    return torch.from_numpy(np.load(path))


loader_train = list(zip(load("data/cs231n_x_train.npy").split(8), load("data/cs231n_y_train.npy").split(8)))
loader_val = list(zip(load("data/cs231n_x_val.npy").split(8), load("data/cs231n_y_val.npy").split(8)))


def flatten(x):
    N = x.shape[0]  # read in N, C, H, W
    return x.view(N, -1)  # "flatten" the C * H * W values into a single vector per image


def two_layer_fc(x, params):
    """
    A fully-connected neural networks; the architecture is:
    NN is fully connected -> ReLU -> fully connected layer.
    Note that this function only defines the forward pass;
    PyTorch will take care of the backward pass for us.
    """
    # first we flatten the image
    x = flatten(x)  # shape: [batch_size, C x H x W]

    w1, w2 = params

    # Forward pass: compute predicted y using operations on Tensors. Since w1 and
    # w2 have requires_grad=True, operations involving these Tensors will cause
    # PyTorch to build a computational graph, allowing automatic computation of
    # gradients. Since we are no longer implementing the backward pass by hand we
    # don't need to keep references to intermediate values.
    # you can also use `.clamp(min=0)`, equivalent to F.relu()
    x = F.relu(x.mm(w1))
    x = x.mm(w2)
    return x


def two_layer_fc_test():
    hidden_layer_size = 42
    x = torch.zeros((64, 50), dtype=dtype)  # minibatch size 64, feature dimension 50
    w1 = torch.zeros((50, hidden_layer_size), dtype=dtype)
    w2 = torch.zeros((hidden_layer_size, 10), dtype=dtype)
    scores = two_layer_fc(x, [w1, w2])
    print(scores.size())  # you should see [64, 10]


two_layer_fc_test()


def random_weight(shape):
    """
    Create random Tensors for weights; setting requires_grad=True means that we
    want to compute gradients for these Tensors during the backward pass.
    We use Kaiming normalization: sqrt(2 / fan_in)
    """
    if len(shape) == 2:  # FC weight
        fan_in = shape[0]
    else:
        fan_in = np.prod(shape[1:])  # conv weight [out_channel, in_channel, kH, kW]
    # randn is standard normal distribution generator.
    w = torch.randn(shape, dtype=dtype) * np.sqrt(2. / fan_in)  # device=device in the notebook
    w.requires_grad = True
    return w


def check_accuracy_part2(loader, model_fn, params, split):
    """
    Check the accuracy of a classification model.
    """
    print('Checking accuracy on the %s set' % split)
    num_correct, num_samples = 0, 0
    with torch.no_grad():
        for x, y in loader:
            x = x.to(dtype=dtype)  # move to device, e.g. GPU
            y = y.to(dtype=torch.int64)
            scores = model_fn(x, params)
            _, preds = scores.max(1)
            num_correct += (preds == y).sum()
            num_samples += preds.size(0)
        acc = float(num_correct) / num_samples
        print('Got %d / %d correct (%.2f%%)' % (num_correct, num_samples, 100 * acc))


def train_part2(model_fn, params, learning_rate):
    """
    Train a model on CIFAR-10.
    """
    for t, (x, y) in enumerate(loader_train):
        # Move the data to the proper device (GPU or CPU)
        x = x.to(dtype=dtype)
        y = y.to(dtype=torch.long)

        # Forward pass: compute scores and loss
        scores = model_fn(x, params)
        loss = F.cross_entropy(scores, y)

        # Backward pass: PyTorch figures out which Tensors in the computational
        # graph has requires_grad=True and uses backpropagation to compute the
        # gradient of the loss with respect to these Tensors, and stores the
        # gradients in the .grad attribute of each Tensor.
        loss.backward()

        # Update parameters. We don't want to backpropagate through the
        # parameter updates, so we scope the updates under a torch.no_grad()
        # context manager to prevent a computational graph from being built.
        with torch.no_grad():
            for w in params:
                w -= learning_rate * w.grad

                # Manually zero the gradients after running the backward pass
                w.grad.zero_()

        if t % print_every == 0:
            print('Iteration %d, loss = %.4f' % (t, loss.item()))
            check_accuracy_part2(loader_val, model_fn, params, 'val')
            print()


torch.manual_seed(0)  # not in the notebook: unseeded, PyTorch's numbers change from run to run
hidden_layer_size = 20
learning_rate = 5e-2

w1 = random_weight((3 * 4 * 4, hidden_layer_size))
w2 = random_weight((hidden_layer_size, 3))

train_part2(two_layer_fc, [w1, w2], learning_rate)
check_accuracy_part2(loader_val, two_layer_fc, [w1, w2], 'val')
