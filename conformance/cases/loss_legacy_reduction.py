# PyTorch twin of loss_legacy_reduction.tx (its UserWarnings go to stderr)
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
tensor, sigmoid = torch.tensor, torch.sigmoid
mse_loss, l1_loss, smooth_l1_loss, cross_entropy, nll_loss = F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.cross_entropy, F.nll_loss
binary_cross_entropy, binary_cross_entropy_with_logits, kl_div = F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.kl_div
def softmax(v, dim): return torch.softmax(v, dim)
def log_softmax(v, dim): return torch.log_softmax(v, dim)

x = tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], requires_grad=True)
y = tensor([[0.5, -1.0, 0.0], [2.0, 1.0, -1.5]])
t = tensor([2, 0])
print(mse_loss(x, y, size_average=False), mse_loss(x, y, reduce=False), mse_loss(x, y, size_average=True, reduce=True))
print(l1_loss(x, y, size_average=False, reduction="none"), smooth_l1_loss(x, y, reduce=False, beta=0.5), l1_loss(x, y, size_average=None, reduce=None, reduction="sum"))
print(cross_entropy(x, t, size_average=False), cross_entropy(x, t, reduce=False, weight=tensor([1.0, 2.0, 3.0])), nll_loss(x, t, size_average=True, reduce=False))
print(binary_cross_entropy(sigmoid(x), sigmoid(y), size_average=False), binary_cross_entropy_with_logits(x, sigmoid(y), reduce=False, pos_weight=tensor([1.0, 2.0, 0.5])))
print(kl_div(log_softmax(x, dim=1), softmax(y, dim=1), size_average=False), kl_div(log_softmax(x, dim=1), softmax(y, dim=1), reduce=True, reduction="batchmean"), kl_div(log_softmax(x, dim=1), softmax(y, dim=1), reduce=False, reduction="batchmean"))
s = mse_loss(x, y, size_average=False) + cross_entropy(x, t, size_average=False) + l1_loss(x, y, reduce=False).sum() * 0.5
s.backward()
print(s, x.grad)
