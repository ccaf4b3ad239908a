# PyTorch twin of neural.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

x = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, -2.0, 3.0, 1.0], [2.0, 2.5, -0.5, 0.0]])
print(torch.softmax(x, dim=1))
print(torch.softmax(x, dim=0))
print(torch.log_softmax(x, dim=-1))
print(torch.log_softmax(x, dim=0))
print(torch.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0))
print(torch.softmax(torch.arange(8.).reshape(2, 2, 2), dim=1))
labels = torch.tensor([1., 2., 0.])  # tx: class indices are a float tensor of whole numbers
print(F.cross_entropy(x, labels.long()))
probs = torch.tensor([[0.1, 0.6, 0.2, 0.1], [0.0, 0.25, 0.75, 0.0], [0.5, 0.5, 0.0, 0.0]])
print(F.cross_entropy(x, probs))
# tx has one dtype, so it tells the two target kinds apart by shape: [N] means class indices,
# [N, C] (the logits' shape) means probabilities. A one-hot [N, C] target gives the class-index loss.
print(F.cross_entropy(x, torch.tensor([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]])))
y = torch.tensor([[0.5, 1.0, 1.0, -0.5], [0.5, 0.0, 2.0, 2.0], [1.0, 2.0, 0.0, 0.5]])
print(F.mse_loss(x, y))
print(F.mse_loss(torch.tensor(3.0), torch.tensor(1.0)))

z = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, -2.0, 3.0, 1.0], [2.0, 2.5, -0.5, 0.0]], requires_grad=True)
G = torch.tensor([[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 0.0, -0.5], [0.0, 0.0, 1.0, 3.0]])
torch.autograd.backward(torch.softmax(z, dim=1), G)
print(z.grad)
z.grad = None  # tx: zero_grad(z)
torch.autograd.backward(torch.softmax(z, dim=0), G)
print(z.grad)
z.grad = None
torch.autograd.backward(torch.log_softmax(z, dim=1), G)
print(z.grad)
z.grad = None
loss = F.cross_entropy(z, labels.long())
print(loss)
loss.backward()
print(z.grad)
z.grad = None
p = torch.tensor([[0.1, 0.6, 0.2, 0.1], [0.0, 0.25, 0.75, 0.0], [0.5, 0.5, 0.0, 0.0]], requires_grad=True)
F.cross_entropy(z, p).backward()
print(z.grad)
print(p.grad)
z.grad = None
t = torch.tensor([[0.5, 1.0, 1.0, -0.5], [0.5, 0.0, 2.0, 2.0], [1.0, 2.0, 0.0, 0.5]], requires_grad=True)
loss = F.mse_loss(z, t)
print(loss)
loss.backward()
print(z.grad)
print(t.grad)
