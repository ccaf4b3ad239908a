# PyTorch twin of higher_order_composites.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F


def d2(f, x):  # tx: grad(grad(f))(x)
    x = torch.tensor(x, requires_grad=True)
    g, = torch.autograd.grad(f(x), x, create_graph=True)
    h, = torch.autograd.grad(g, x)
    return h


g1 = F.gelu
def g2(x): return F.silu(x) + F.mish(x) + F.logsigmoid(x)
def g3(x): return torch.erf(x) + torch.erfc(x * 2) + torch.asinh(x) + torch.acosh(x + 2) + torch.atanh(x / 2)
def g4(x):
    return torch.var(x) + torch.std(x) + F.binary_cross_entropy(torch.sigmoid(x), torch.tensor([0.2, 0.5, 0.9])) \
        + F.huber_loss(x, torch.tensor([0.0, 2.0, 0.5]))


print(d2(g1, 0.7), d2(g2, 0.7), d2(g3, 0.7))
x = torch.tensor([0.3, -1.2, 0.8], requires_grad=True)
g, = torch.autograd.grad(g4(x), x, create_graph=True)  # tx: g5(x) = sum(x * grad(g4)(x)), differentiated
print(torch.autograd.grad(torch.sum(x * g), x)[0])
