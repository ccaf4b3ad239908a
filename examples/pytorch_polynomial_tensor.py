# PyTorch twin of pytorch_polynomial_tensor.tx: "PyTorch: Tensors"
# (beginner_source/examples_tensor/polynomial_tensor.py) from PyTorch's tutorial "Learning PyTorch
# with Examples" (github.com/pytorch/tutorials), as written there except: float64 (the default dtype
# set below, and `dtype = torch.float64` for `torch.float`), no device lines, fixed starting weights
# (torch.full) instead of torch.randn, and the losses and the result printed to 9 and 12 decimals
# (tx sums the 2000 squares in order, PyTorch in its cascade: the 17th digit differs).
import math
import torch; torch.set_default_dtype(torch.float64)


dtype = torch.float64

# Create random input and output data
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

# Randomly initialize weights (torch.randn((), device=device, dtype=dtype) in the tutorial)
a = torch.full((), 0.3367, dtype=dtype)
b = torch.full((), 0.1288, dtype=dtype)
c = torch.full((), 0.2345, dtype=dtype)
d = torch.full((), 0.2303, dtype=dtype)

learning_rate = 1e-6
for t in range(2000):
    # Forward pass: compute predicted y
    y_pred = a + (b * x) + (c * x.pow(2)) + (d * x.pow(3))

    # Compute and print loss
    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(t, f'{loss:.9f}')  # print(t, loss) in the tutorial

    # Backprop to compute gradients of a, b, c, d with respect to loss
    grad_y_pred = -2.0 * (y - y_pred)
    grad_a = grad_y_pred.sum()
    grad_b = torch.matmul(input=grad_y_pred, other=x).sum()
    grad_c = torch.matmul(input=grad_y_pred, other=x.pow(2)).sum()
    grad_d = torch.matmul(input=grad_y_pred, other=x.pow(3)).sum()

    # Update weights using gradient descent
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d


print(f'Result: y = {a.item():.12f} + {b.item():.12f} x + {c.item():.12f} x^2 + {d.item():.12f} x^3')
