# A Python number known only when the program runs (a loop's counter, .item()) is a Scalar operand
# in PyTorch, as a number written in is: x ** (i + 1) is PowBackward0, k - x RsubBackward1, k / x
# MulBackward0 (PyTorch's __rtruediv__ multiplies by the reciprocal). A 0-dimensional tensor stays a
# Tensor operand (PowBackward1). The twin prints grad_fn without its address, as tx does.
import torch; torch.set_default_dtype(torch.float64)

def show(f):
    return None if f is None else f"<{type(f).__name__} object>"

x = torch.tensor([0.5, 2.0], requires_grad=True)
for i in range(300):
    y = x ** (i + 1)
print(show(y.grad_fn), y)
print(show((x * i).grad_fn), show((x + i).grad_fn), show((i - x).grad_fn), show((i / x).grad_fn), show((x % i).grad_fn))
k = torch.tensor(3).item()
print(show((k - x).grad_fn), show((k / x).grad_fn), show((x ** k).grad_fn), show((k ** x).grad_fn), show((x - k).grad_fn))
t = torch.tensor(3.0)
print(show((x ** t).grad_fn), show((t - x).grad_fn), show((t / x).grad_fn))
(x ** k).sum().backward()
print(x.grad)
print(show(torch.pow(k, x).grad_fn), show(torch.pow(x, k).grad_fn), show(torch.pow(2.0, x).grad_fn))
