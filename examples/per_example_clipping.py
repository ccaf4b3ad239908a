# PyTorch twin of per_example_clipping.tx (functorch's vmap and grad, as its "Per-sample-gradients" tutorial)
import torch
import torch.nn.functional as F
from functorch import grad, vmap
torch.set_default_dtype(torch.float64)

def loss(W, b, x, y):
    logits = W @ x + b
    return -torch.sum(y * F.log_softmax(logits, dim=0))

X = torch.reshape(torch.sin(torch.arange(256.0) * 1.3) + torch.cos(torch.arange(256.0) * 0.7), [64, 4])
labels = (X[:, 0] + 0.5 * X[:, 1] > 0).long()
X[:, 2] = X[:, 2] + 2.0 * labels
Y = F.one_hot(labels, 2).double()
W = torch.zeros([2, 4])
b = torch.zeros([2])
clip = 0.5
lr = 0.5
for step in range(30):
    gW, gb = vmap(grad(loss, argnums=(0, 1)), in_dims=(None, None, 0, 0))(W, b, X, Y)
    norms = torch.sqrt(torch.sum(gW ** 2, dim=[1, 2]) + torch.sum(gb ** 2, dim=1))
    factor = torch.clamp(clip / (norms + 1e-6), max=1.0)
    W = W - lr * (gW * factor[:, None, None]).mean(dim=0)
    b = b - lr * (gb * factor[:, None]).mean(dim=0)
    if step % 10 == 0:
        print(f"step {step}: mean loss {vmap(loss, in_dims=(None, None, 0, 0))(W, b, X, Y).mean().item():.6f}, clipped {(norms > clip).sum().item()} of 64")
acc = ((X @ W.T + b).argmax(dim=1) == labels).double().mean()
print(f"accuracy {acc.item():.4f}")
print(W)
