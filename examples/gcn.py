# PyTorch twin of gcn.tx
import numpy as np
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

A = torch.from_numpy(np.load("data/graph_adjacency.npy"))
X = torch.from_numpy(np.load("data/graph_features.npy"))
y = torch.from_numpy(np.load("data/graph_labels.npy")).double().long()   # tx reads every dtype as float64
train_mask = torch.from_numpy(np.load("data/graph_train.npy")) > 0.5
test_mask = ~train_mask

A_hat = A + torch.eye(40)
d = A_hat.sum(1) ** -0.5
norm = d.reshape(-1, 1) * A_hat * d.reshape(1, -1)

W1 = ((torch.arange(128) * 7 % 11 - 5) / 15).reshape(8, 16)
W1.requires_grad_()
W2 = ((torch.arange(32) * 5 % 13 - 6) / 20).reshape(16, 2)
W2.requires_grad_()


def gcn(X, W1, W2):
    h = F.relu(norm @ X @ W1)
    return norm @ h @ W2


print(f"{int(train_mask.sum())} training nodes, {len(X[test_mask])} test nodes")
for epoch in range(101):
    out = gcn(X, W1, W2)
    loss = F.cross_entropy(out[train_mask], y[train_mask])
    loss.backward()
    with torch.no_grad():
        W1 -= 0.2 * W1.grad
        W2 -= 0.2 * W2.grad
        W1.grad.zero_()
        W2.grad.zero_()
    if epoch % 20 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

out = gcn(X, W1, W2)
pred = out.argmax(dim=1)
correct = (pred[test_mask] == y[test_mask]).sum()
acc = correct / test_mask.sum()
print(f"test accuracy: {acc.item():.4f} ({correct.item()} of {int(test_mask.sum())})")
print(out[train_mask].softmax(dim=1))
