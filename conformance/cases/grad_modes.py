# PyTorch's grad-mode switches: enable_grad inside no_grad, set_grad_enabled called alone and as a
# block, is_grad_enabled, inference_mode (no_grad for tx), requires_grad_(False).
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    with torch.enable_grad():
        y = x * 2
print(y.requires_grad)
torch.set_grad_enabled(False)
z = x * 3
print(z.requires_grad)
torch.set_grad_enabled(True)
w = x * 3
print(w.requires_grad, torch.is_grad_enabled())
with torch.inference_mode():
    v = x * 2
print(v.requires_grad)
print(x.is_leaf, w.is_leaf, x.requires_grad_(False).requires_grad)
with torch.set_grad_enabled(False):
    u = x * 2
    print(torch.is_grad_enabled())
with torch.inference_mode(False):
    s = (x * 2).sum()
print(u.requires_grad, s.requires_grad, torch.is_grad_enabled())
