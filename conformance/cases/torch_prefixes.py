# PyTorch twin of torch_prefixes.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
y = torch.tanh(x) + F.relu(x) + torch.nn.functional.softplus(x)
print(y)
loss = torch.sum(y ** 2)
gx = torch.autograd.grad(loss, [x], create_graph=True)[0]
print(gx.detach())
g2 = torch.autograd.grad(gx.sum(), [x])
print(g2)
z = torch.zeros(2, 3)
print(torch.cat([z, torch.ones(1, 3)], dim=0))
print(F.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0), F.mse_loss(x, torch.zeros(3)))
