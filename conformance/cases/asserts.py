# PyTorch twin of asserts.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
assert x.requires_grad
assert x.grad is None, "no backward yet"
y = (x * x).sum()
assert y.item() > 0, f"y is {y.item()}"
assert y > 0
assert torch.allclose(y, torch.tensor(14.0)) and not (y < 0), "y is 14"
y.backward()
assert x.grad is not None
assert torch.allclose(x.grad, 2 * x)
assert (x.grad > 0).all(), "every gradient is positive"
print(x.grad)

def step(w, lr):
    assert lr > 0, f"the learning rate must be positive, got {lr}"
    return w - lr * w
print(step(torch.tensor([1.0, 2.0, 4.0]), 0.5))

w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
losses = 0
for i in range(4):
    loss = ((w * 2.0 - 1.0) ** 2).mean()
    assert loss.item() >= 0, f"epoch {i}: the loss is {loss.item()}"
    assert i < 4 or i == 100
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
    assert w.grad.sum() == 0
    print(i, loss.item())
print(w)

k = 0
while k < 3:
    assert k <= 2, "k stays small"
    k += 1
print(k)

assert x.shape[0] == 3 and len(x) == 3, "known when compiled"
if w.sum().item() > 100:
    assert False, "diverged"
else:
    print("no divergence")
