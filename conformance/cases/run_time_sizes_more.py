# PyTorch twin of run_time_sizes_more.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, where, maximum, minimum, atan2, hypot, lerp, sigmoid, isclose, logical_and, logical_xor, masked_fill, log_softmax, softmax
from torch.nn.functional import mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits, kl_div, cosine_similarity
x = tensor([3.0, -1.0, 5.0, -2.0, 4.0, 0.5], requires_grad=True)
y = tensor([1.0, 2.0, -3.0, 4.0, 0.5, -0.5])
a = x[x > 0.75]
b = y[y > 0.75]
print(mse_loss(a, b), l1_loss(a, b), smooth_l1_loss(a, b), huber_loss(a, b, reduction="sum", delta=0.5))
print(mse_loss(a, b, reduction="none"), l1_loss(a, b, reduction="sum"), smooth_l1_loss(a, b, beta=2.0, reduction="none"))
print(maximum(a, b), minimum(a, b), atan2(a, b), hypot(a, b), lerp(a, b, 0.25), lerp(a, b, b / 10))
print(binary_cross_entropy(sigmoid(a), sigmoid(b)), binary_cross_entropy_with_logits(a, sigmoid(b), reduction="sum"))
print(isclose(a, b - 2.0), logical_and(a > 3.5, b > 3.5), logical_xor(a > 3.5, b > 3.5), masked_fill(a, b > 3.5, 0.0))
print(kl_div(log_softmax(a, dim=0), softmax(b, dim=0), reduction="batchmean"), cosine_similarity(a, b, dim=0))
s = mse_loss(a, b) + l1_loss(a, b, reduction="sum") + smooth_l1_loss(a, b) + huber_loss(a, b, delta=0.5)
s = s + (maximum(a, b) * minimum(a, b)).sum() + atan2(a, b).sum() + hypot(a, b).sum() + lerp(a, b, 0.75).sum()
s = s + binary_cross_entropy(sigmoid(a), sigmoid(b)) + binary_cross_entropy_with_logits(a, sigmoid(b)) + masked_fill(a, b > 3.5, 0.0).sum()
s = s + kl_div(log_softmax(a, dim=0), softmax(b, dim=0), reduction="sum") + cosine_similarity(a, b, dim=0)
s.backward()
print(s, x.grad)
X = tensor([[3.0, -1.0], [5.0, 2.0], [-2.0, 4.0], [1.0, 1.0]], requires_grad=True)
Y = tensor([[1.0, 2.0], [-3.0, 4.0], [5.0, 0.5], [2.0, -1.0]])
P = X[X[:, 0] > 0]
Q = Y[Y[:, 1] > 0]
print(mse_loss(P, Q, reduction="none"), maximum(P, Q), lerp(P, Q, tensor([0.25, 0.5])))
s = mse_loss(P, Q) + hypot(P, Q).sum()
s.backward()
print(X.grad)
