# PyTorch twin of mlp.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
W1 = torch.tensor([[0.5, -0.4, 0.3], [-0.2, 0.6, 0.7]], requires_grad=True)
b1 = torch.tensor([0.1, -0.1, 0.0], requires_grad=True)
W2 = torch.tensor([[0.8], [-0.5], [0.4]], requires_grad=True)
b2 = torch.tensor([0.05], requires_grad=True)
lr = 0.3
for round in range(3):
    for step in range(10):
        h = torch.tanh(X @ W1 + b1)
        out = h @ W2 + b2
        loss = F.mse_loss(out, Y)
        loss.backward()
        with torch.no_grad():
            W1 -= lr * W1.grad
            b1 -= lr * b1.grad
            W2 -= lr * W2.grad
            b2 -= lr * b2.grad
        for p in (W1, b1, W2, b2):
            p.grad = None  # tx: zero_grad(W1, b1, W2, b2)
    print(loss)
print(out.shape)
print(out.detach())
print(W2)
