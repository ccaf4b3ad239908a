# PyTorch twin of linear_regression.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

X = torch.tensor([[0.0, 1.0], [0.5, 0.0], [1.0, 0.5], [1.5, -0.5], [2.0, 1.5], [2.5, -1.0]])
y = X @ torch.tensor([2.0, -3.0]) + 0.5
w = torch.zeros(2, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
lr = 0.05
for epoch in range(5):
    for step in range(10):
        loss = F.mse_loss(X @ w + b, y)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None  # tx: zero_grad(w, b) resets the grads to None
        b.grad = None
    print("loss", loss)
print("w", w)
print("b", b)
print(w.grad)
