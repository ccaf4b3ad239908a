# PyTorch twin of grad_computed_inputs.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
k = h.sin()
loss = torch.sum(h ** 2 * k)
dh, dk = torch.autograd.grad(loss, [h, k], retain_graph=True)
print(dh, dk)
dx = torch.autograd.grad(loss, x, retain_graph=True)[0]
print(dx)
# create_graph: the gradient with respect to h, differentiated again into x
g = torch.autograd.grad(loss, h, create_graph=True)[0]
print(g)
g.sum().backward()
print(x.grad)
c = torch.tensor([1.0, 2.0]) * 3
m = torch.sum(x * c)
print(torch.autograd.grad(m, [x])[0])
