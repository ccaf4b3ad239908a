# PyTorch twin of loss_options.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch.autograd.functional import hessian
inf = float("inf")
cross_entropy, nll_loss = F.cross_entropy, F.nll_loss
binary_cross_entropy, binary_cross_entropy_with_logits = F.binary_cross_entropy, F.binary_cross_entropy_with_logits
tensor, sigmoid = torch.tensor, torch.sigmoid
def softmax(v, dim): return torch.softmax(v, dim)
def log_softmax(v, dim): return torch.log_softmax(v, dim)
def sum(v): return v.sum()

x = tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [0.0, 0.0, 1.0], [2.0, 1.0, 0.0]], requires_grad=True)
t = tensor([0, 2, -100, 1])
w = tensor([0.2, 1.0, 3.0])
p = softmax(tensor([[0.1, 0.2, 0.7], [1.0, -1.0, 0.0], [0.3, 0.3, 0.3], [2.0, 0.0, -2.0]]), dim=1)

print(cross_entropy(x, t, weight=w), cross_entropy(x, t, w, reduction="sum"), cross_entropy(x, t, weight=w, reduction="none"))
print(cross_entropy(x, t), cross_entropy(x, t, label_smoothing=0.1), cross_entropy(x, t, label_smoothing=0.1, reduction="none"))
print(cross_entropy(x, t, weight=w, label_smoothing=0.25), cross_entropy(x, t, weight=w, label_smoothing=0.25, reduction="sum"))
print(cross_entropy(x, tensor([1, 1, 0, 2]), ignore_index=1), cross_entropy(x, tensor([1, 1, 0, 2]), ignore_index=1, weight=w, reduction="none"))
print(cross_entropy(x, tensor([-100, -100, -100, -100])), cross_entropy(x, tensor([1, 1, 1, 1]), ignore_index=1, weight=w))
print(cross_entropy(x[0], tensor(2), weight=w), cross_entropy(x[0], tensor(2), weight=w, label_smoothing=0.2), cross_entropy(x, t, label_smoothing=-0.1))
print(cross_entropy(x, p, weight=w), cross_entropy(x, p, weight=w, label_smoothing=0.3, reduction="none"), cross_entropy(x, p, label_smoothing=0.3, reduction="sum"))
print(nll_loss(log_softmax(x, dim=1), t), nll_loss(log_softmax(x, dim=1), t, weight=w), nll_loss(x, t, w, reduction="none"), nll_loss(x, tensor([0, 1, 2, 1]), reduction="sum"))
print(cross_entropy(tensor([[-inf, 0.0, 1.0], [0.0, 1.0, 2.0]]), tensor([1, 2]), weight=w))

z = tensor([[0.5, -1.0, 2.0], [-3.0, 0.0, 1.5]], requires_grad=True)
y = tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]])
bw = tensor([0.5, 2.0, 1.0])
pw = tensor([3.0, 0.5, 1.0])
print(binary_cross_entropy(sigmoid(z), y, weight=bw), binary_cross_entropy(sigmoid(z), y, bw, reduction="none"))
print(binary_cross_entropy_with_logits(z, y, weight=bw), binary_cross_entropy_with_logits(z, y, pos_weight=pw, reduction="none"))
print(binary_cross_entropy_with_logits(z, y, weight=tensor([[2.0], [0.5]]), pos_weight=pw, reduction="sum"))
print(binary_cross_entropy_with_logits(tensor([100.0, -100.0, 0.0]), tensor([0.0, 1.0, 1.0]), pos_weight=tensor([2.0, 2.0, 2.0])))

s = cross_entropy(x, t, weight=w) + cross_entropy(x, t, label_smoothing=0.1) * 2 + sum(cross_entropy(x, t, weight=w, label_smoothing=0.25, reduction="none") * tensor([1.0, 2.0, 3.0, 4.0]))
s.backward()
print(x.grad)
x.grad = None
s = cross_entropy(x, p, weight=w, label_smoothing=0.3) + nll_loss(x, tensor([2, 0, 1, 1]), weight=w, ignore_index=0)
s.backward()
print(x.grad)
x.grad = None
s = cross_entropy(x, tensor([-100, -100, 1, 2]), weight=w, label_smoothing=0.5, reduction="sum")
s.backward()
print(x.grad)
x.grad = None
s = binary_cross_entropy(sigmoid(z), y, weight=bw) + binary_cross_entropy_with_logits(z, y, weight=bw, pos_weight=pw, reduction="sum")
s.backward()
print(z.grad)

def weighted(v):
    return cross_entropy(v, t, weight=w, label_smoothing=0.2) + binary_cross_entropy_with_logits(v, softmax(v, dim=1), pos_weight=w)
x0 = x.detach().requires_grad_()
print(torch.autograd.grad(weighted(x0), x0)[0], hessian(weighted, x.detach())[1, 2])
