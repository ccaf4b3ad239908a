# PyTorch twin of custom_jvp.tx: torch.autograd.Function with a jvp staticmethod (forward mode, through
# torch.autograd.forward_ad) and, for reverse mode, a backward that is the transpose of that jvp, written by hand
import torch; torch.set_default_dtype(torch.float64)
import torch.autograd.forward_ad as fwAD
from torch.autograd.functional import jacobian, hessian

def jvp(fn, primals, tangents):
    with fwAD.dual_level():
        out = fn(*[fwAD.make_dual(p, t) for p, t in zip(primals, tangents)])
        value, tangent = fwAD.unpack_dual(out)
        return value, tangent

def jacfwd(fn, x):  # column by column, each a jvp along one basis vector
    cols = [jvp(fn, (x,), (e.reshape(x.shape),))[1] for e in torch.eye(x.numel())]
    return torch.stack(cols, dim=-1).reshape(cols[0].shape + x.shape)

class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return torch.log(1 + torch.exp(x))
    @staticmethod
    def jvp(ctx, t):
        x, = ctx.saved_tensors
        return torch.sigmoid(x) * t
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return torch.sigmoid(x) * g

sp = Softplus.apply
z = torch.tensor([-800.0, 0.5, 800.0])
v, t = jvp(sp, (z,), (torch.tensor([1.0, 2.0, 3.0]),))
print(v)
print(t)
print(jacfwd(sp, z))
zr = z.clone().requires_grad_(True)
(sp(zr) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print(zr.grad)
def fn_sp(x): return (sp(x) * x).sum()
x0 = torch.tensor([-1.0, 0.0, 2.0])
print(jacobian(fn_sp, x0))
print(hessian(fn_sp, x0))
print(jacobian(sp, x0))

class Layer(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        y = torch.tanh(w @ x)
        ctx.save_for_backward(x, w, y)
        ctx.save_for_forward(x, w, y)
        return y
    @staticmethod
    def jvp(ctx, tx, tw):
        x, w, y = ctx.saved_tensors
        return (1 - y * y) * (w @ tx + tw @ x)
    @staticmethod
    def backward(ctx, g):
        x, w, y = ctx.saved_tensors
        s = (1 - y * y) * g
        return w.T @ s, torch.outer(s, x)

lay = Layer.apply
x = torch.tensor([0.3, -0.8, 1.1])
w = torch.tensor([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])
v2, t2 = jvp(lay, (x, w), (torch.tensor([1.0, 0.0, -1.0]), torch.ones(2, 3) * 0.1))
print(v2)
print(t2)
print(jacfwd(lambda w: lay(x, w), w))
def loss(x, w): return (lay(x, w) ** 2).sum()
gx, gw = jacobian(loss, (x, w))
print(gx)
print(gw)
wr = w.clone().requires_grad_(True)
print(torch.autograd.grad(lay(x, wr), wr, torch.tensor([1.0, -2.0]))[0])

class Quantize(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x * 4) / 4
    @staticmethod
    def jvp(ctx, t):
        return t
    @staticmethod
    def backward(ctx, g):
        return g

q = Quantize.apply
xq = torch.tensor([0.1, 0.37, -0.8, 1.26], requires_grad=True)
vq, tq = jvp(q, (xq.detach(),), (torch.tensor([1.0, -1.0, 0.5, 2.0]),))
print(vq)
print(tq)
(q(xq) * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
print(xq.grad)
