# PyTorch twin of grad_while_in_loop.tx (functorch's grad, as tx's grad transform)
import torch; torch.set_default_dtype(torch.float64)
from functorch import grad

def f(x0):
    h2 = x0[0:]
    k3 = 0
    while k3 < 3:
        if torch.sum(torch.abs(h2)) > 2:
            break
        h2 = h2 * 0.5 + x0
        k3 += 1
    return torch.mean(x0) * 0.5 + torch.mean(h2 ** 2)

a0 = torch.reshape(0.4 * torch.sin(torch.arange(12.0) * 0.7 + 0.2), [3, 4])
rg = torch.zeros([3, 4])
for i in range(3):
    g = grad(f)(a0[i])
    rg[i] = g
print(rg)
