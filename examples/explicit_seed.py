# PyTorch twin of explicit_seed.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
y.backward(torch.tensor([1.0, 0.1, 0.01]))
print(x.grad)

x.grad = None  # tx: zero_grad(x)
y = x ** 2
y.backward(torch.ones(3))
print(x.grad)

x.grad = None
y = x ** 2
torch.sum(y * torch.tensor([1.0, 0.1, 0.01])).backward()
print(x.grad)

W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
Y = W @ W
G = torch.tensor([[1.0, 0.0], [0.0, -1.0]])
torch.autograd.backward(Y, G)
print(W.grad)
