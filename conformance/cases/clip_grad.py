# torch.nn.utils.clip_grad_norm_ and clip_grad_value_ in a training loop: a parameter without a gradient
# is left out, the 2-norm and the inf-norm, a factor clamped at 1.
import torch
torch.set_default_dtype(torch.float64)
w = torch.tensor([[0.5, -1.5], [2.0, 0.25]], requires_grad=True)
b = torch.tensor([0.1, -0.3], requires_grad=True)
unused = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0]])
for step in range(3):
    loss = ((x @ w + b) ** 2).mean()
    loss.backward()
    total = torch.nn.utils.clip_grad_norm_([w, b, unused], max_norm=1.0)
    print(step, total, w.grad, b.grad)
    with torch.no_grad():
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
    w.grad = None
    b.grad = None
loss = ((x @ w + b) ** 2).mean()
loss.backward()
print(torch.nn.utils.clip_grad_norm_(w, 0.5, norm_type=float("inf")), w.grad)
torch.nn.utils.clip_grad_value_([w, b], 0.2)
print(w.grad, b.grad)
print(torch.nn.utils.clip_grad_norm_([w, b], 100.0), w.grad)
