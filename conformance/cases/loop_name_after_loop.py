# PyTorch twin of loop_name_after_loop.tx: a for loop's name outlives the loop, still the list's last
# item; an in-place update through it after the loop changes the list, which the enclosing loop carries
import torch
torch.set_default_dtype(torch.float64)
def get_params():
    a = torch.ones(2); b = torch.ones(3)
    a.requires_grad_(True); b.requires_grad_(True)
    return [a, b]
def sgd(params, lr):
    with torch.no_grad():
        for param in params:
            pass
        param -= lr * param.grad
params = get_params()
for i in range(3):
    l = (params[0] * params[0]).sum() + (params[1] ** 3).sum()
    l.backward()
    sgd(params, 0.1)
    print(l.item(), params[0], params[1])
print(params)
