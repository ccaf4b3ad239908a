# PyTorch twin of grad_tensor_form.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor(0.5, requires_grad=True)
y = (w * x ** 2).sum()
gx, gw = torch.autograd.grad(y, [x, w], retain_graph=True)
print(gx, gw)
print(x.grad, w.grad)
print(torch.autograd.grad(y, [x])[0])

# a non-scalar output, with its output gradient
v = x * w
print(torch.autograd.grad(v, x, grad_outputs=torch.tensor([1.0, 0.0, 2.0]))[0])

# create_graph=True: the gradient can be differentiated again
s = torch.tensor(2.0, requires_grad=True)
d1 = torch.autograd.grad(s ** 3, s, create_graph=True)[0]
print(d1.requires_grad)
d2 = torch.autograd.grad(d1, s)[0]
print(d2)
d1b = torch.autograd.grad(s ** 3, [s], create_graph=True)[0]
d1b.backward()
print(s.grad)

# a gradient penalty, as in WGAN-GP: the norm of a gradient, minimised
p = torch.tensor([0.3, -0.7], requires_grad=True)
out = torch.tanh(p * 2).sum()
gp = torch.autograd.grad(out, p, create_graph=True)[0]
penalty = ((gp ** 2).sum() - 1) ** 2
penalty.backward()
print(penalty, p.grad)
