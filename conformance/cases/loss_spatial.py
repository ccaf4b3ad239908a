# PyTorch twin of loss_spatial.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch.autograd.functional import hessian
inf = float("inf")
cross_entropy, nll_loss = F.cross_entropy, F.nll_loss
tensor, reshape = torch.tensor, torch.reshape
def softmax(v, dim): return torch.softmax(v, dim)
def log_softmax(v, dim): return torch.log_softmax(v, dim)
def sum(v): return v.sum()

x = tensor([[[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [0.0, 3.0, 1.0]], [[2.0, 1.0, 0.0], [-2.0, 0.5, 0.5], [1.5, 1.5, -0.5]]], requires_grad=True)
t = tensor([[0, 2, 1], [1, -100, 2]])
w = tensor([0.2, 1.0, 3.0])
print(cross_entropy(x, t), cross_entropy(x, t, reduction="sum"), cross_entropy(x, t, reduction="none"))
print(cross_entropy(x, t, weight=w), cross_entropy(x, t, weight=w, reduction="none"))
print(cross_entropy(x, t, label_smoothing=0.1), cross_entropy(x, t, weight=w, label_smoothing=0.25, reduction="none"))
print(cross_entropy(x, tensor([[0, 2, 1], [1, 0, 2]]), ignore_index=2), cross_entropy(x, tensor([[-100, -100, -100], [-100, -100, -100]])))
print(nll_loss(log_softmax(x, dim=1), t), nll_loss(x, t, weight=w, reduction="none"), nll_loss(x, t, reduction="sum"))

x4 = reshape(x, [2, 3, 3, 1])
t4 = reshape(t, [2, 3, 1])
print(cross_entropy(x4, t4), cross_entropy(x4, t4, reduction="none"), nll_loss(x4, t4, weight=w, reduction="none"))
x5 = reshape(x, [2, 3, 1, 3, 1])
print(cross_entropy(x5, reshape(t, [2, 1, 3, 1]), reduction="none"), cross_entropy(x5, reshape(t, [2, 1, 3, 1]), weight=w))

p = softmax(tensor([[[0.1, 0.2, 0.7], [1.0, -1.0, 0.0], [0.3, 0.3, 0.3]], [[2.0, 0.0, -2.0], [0.5, 0.5, 1.0], [0.0, 1.0, 0.0]]]), dim=1)
print(cross_entropy(x, p), cross_entropy(x, p, weight=w, reduction="none"), cross_entropy(x, p, weight=w, label_smoothing=0.3, reduction="sum"))
print(cross_entropy(tensor([[[-inf, 0.0], [0.0, 1.0], [1.0, 2.0]]]), tensor([[1, 0]]), weight=w))

s = cross_entropy(x, t, weight=w) + cross_entropy(x, t, label_smoothing=0.2) * 2 + sum(cross_entropy(x4, t4, reduction="none") * reshape(tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), [2, 3, 1]))
s.backward()
print(x.grad)
x.grad = None
s = cross_entropy(x, p, weight=w, label_smoothing=0.3) + nll_loss(x5, reshape(tensor([[0, 2, 1], [1, 0, 2]]), [2, 1, 3, 1]), weight=w, ignore_index=0)
s.backward()
print(x.grad)

def seg(v):
    return cross_entropy(v, t, weight=w, label_smoothing=0.2)
x0 = x.detach().requires_grad_()
print(torch.autograd.grad(seg(x0), x0)[0], hessian(seg, x.detach())[1, 2, 0])
