# A second backward without retain_graph=True passes where the graph saved nothing (sums, means,
# additions, negations, reshapes), and PyTorch accumulates into .grad; where it saved something
# (a product, even with a constant), retain_graph=True is needed.
import torch

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
loss = (x + 1).sum() - x.mean() + (-x).reshape(3, 1).sum()
loss.backward()
loss.backward()
print(x.grad)
y = (x * 2).sum() / 3
y.backward(retain_graph=True)
y.backward()
print(x.grad)
