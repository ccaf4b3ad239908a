# PyTorch twin of grad_fn_attr.tx
# tx prints a grad_fn as <MulBackward0 object> (LANGUAGE.md section 4): PyTorch adds the object's
# address, which no two runs share, so the twin prints the same form without it.
import torch; torch.set_default_dtype(torch.float64)

def show(f):
    return None if f is None else f"<{type(f).__name__} object>"

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
c = torch.tensor([1.0, 1.0])
print(show(x.grad_fn), show(c.grad_fn))
y = x * 2
print(show(y.grad_fn))
print(show((y + 1).grad_fn), show((y - x).grad_fn), show((y / x).grad_fn), show((y ** 2).grad_fn))
print(show(y.sum().grad_fn), show(y.mean().grad_fn), show(torch.exp(y).grad_fn), show(y[1:].grad_fn))
print(show(torch.tanh(x).grad_fn), show(x.detach().grad_fn), show((-x).grad_fn))
with torch.no_grad():
    z = x * 2
print(show(z.grad_fn))
