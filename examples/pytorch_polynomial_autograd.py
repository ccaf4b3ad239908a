# PyTorch twin of pytorch_polynomial_autograd.tx: "PyTorch: Tensors and autograd"
# (beginner_source/examples_autograd/polynomial_autograd.py) from PyTorch's tutorial "Learning
# PyTorch with Examples" (github.com/pytorch/tutorials), as written there except: float64 (the
# default dtype set below, and `dtype = torch.float64` for `torch.float`: float64 draws take other
# bits than float32 ones), no device lines; the losses and the result printed to 9 and 12
# decimals (tx's sum adds in another order than PyTorch's cascade sum: the 17th digit differs).
import torch; torch.set_default_dtype(torch.float64)
import math

# Create Tensors to hold input and outputs.
# By default, requires_grad=False, which indicates that we do not need to
# compute gradients with respect to these Tensors during the backward pass.
dtype = torch.float64
torch.manual_seed(0)  # not in the tutorial: unseeded, PyTorch's numbers change from run to run
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

# Create Tensors for weights. For a third order polynomial, we need
# 4 weights: y = a + b x + c x^2 + d x^3
# Setting requires_grad=True indicates that we want to compute gradients with
# respect to these Tensors during the backward pass.
a = torch.randn((), dtype=dtype, requires_grad=True)
b = torch.randn((), dtype=dtype, requires_grad=True)
c = torch.randn((), dtype=dtype, requires_grad=True)
d = torch.randn((), dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    # Forward pass: compute predicted y using operations on Tensors.
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss using operations on Tensors.
    # Now loss is a Tensor of shape (1,)
    # loss.item() gets the scalar value held in the loss.
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, f'{loss.item():.9f}')  # print(t, loss.item()) in the tutorial

    # Use autograd to compute the backward pass. This call will compute the
    # gradient of loss with respect to all Tensors with requires_grad=True.
    # After this call a.grad, b.grad. c.grad and d.grad will be Tensors holding
    # the gradient of the loss with respect to a, b, c, d respectively.
    loss.backward()

    # Manually update weights using gradient descent. Wrap in torch.no_grad()
    # because weights have requires_grad=True, but we don't need to track this
    # in autograd.
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item():.12f} + {b.item():.12f} x + {c.item():.12f} x^2 + {d.item():.12f} x^3')
