# PyTorch twin of star_args.tx
import torch
torch.set_default_dtype(torch.float64)
def total(*xs):
    return sum(xs)
def scaled(k, *xs):
    out = []
    for x in xs:
        out.append(k * x)
    return out, len(xs), xs
print(total(), total(1, 2, 3), total(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])))
vals = [1.0, 2.0]
print(scaled(2.0), scaled(2.0, 1.0, 5.0), scaled(3.0, *vals))
w = torch.tensor([1.0, -1.0], requires_grad=True)
loss = total(w * w, 2 * w).sum()
loss.backward()
print(loss, w.grad)
