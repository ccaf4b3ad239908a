# PyTorch twin of softmax_classifier.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

X = torch.tensor([[1.0, 0.0], [0.9, 0.2], [0.0, 1.0], [0.1, 0.8], [-1.0, -1.0], [-0.8, -0.9]])
labels = torch.tensor([0., 0., 1., 1., 2., 2.])  # tx targets are float tensors of whole numbers
W = torch.zeros(2, 3, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
lr = 0.5
for round in range(4):
    for step in range(10):
        logits = X @ W + b
        loss = F.cross_entropy(logits, labels.long())
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad = None  # tx: zero_grad(W, b)
        b.grad = None
    print("loss", loss)
with torch.no_grad():
    probs = torch.softmax(X @ W + b, dim=1)
print(probs)
