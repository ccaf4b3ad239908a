# PyTorch twin of custom_vjp.tx: torch.autograd.Function with a custom backward
import torch; torch.set_default_dtype(torch.float64)

class Quantize(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x * 4) / 4
    @staticmethod
    def backward(ctx, g):
        return g

x = torch.tensor([0.1, 0.37, -0.8, 1.26], requires_grad=True)
y = Quantize.apply(x)
print(y.detach())
s = (y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum()
s.backward()
print(x.grad)
x2 = x.detach().clone().requires_grad_(True)
print(torch.autograd.grad((Quantize.apply(x2) ** 2).sum(), x2)[0])

class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log(1 + torch.exp(x))
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * torch.sigmoid(x)

z = torch.tensor([-800.0, 0.5, 800.0], requires_grad=True)
w = Softplus.apply(z)
(w * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print(w.detach())
print(z.grad)
t = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
g, = torch.autograd.grad((Softplus.apply(t) * t).sum(), t, create_graph=True)
print(torch.autograd.grad((g * torch.tensor([1.0, -1.0, 0.5])).sum(), t)[0])
