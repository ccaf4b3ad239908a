# A function may return Python values beside its tensors: a string, a bool known only at run time,
# None (as a custom backward returns for an input without a gradient).
import torch
torch.set_default_dtype(torch.float64)


def clip_check(x, limit=1.0):
    big = x.abs().max().item() > limit
    return x.clamp(-limit, limit), "clip_check", big, None


for v in [torch.tensor([0.5, -0.2]), torch.tensor([3.0, -0.2])]:
    y, what, flag, nothing = clip_check(v)
    print(y, what, flag, nothing)
print(clip_check(torch.tensor([2.0]), 5.0))
