# PyTorch twin of advanced_index_pairs.tx: advanced indexing with several index tensors, lists and
# ranges (d2l's cross_entropy: y_hat[range(len(y_hat)), y]), read and differentiated.
import torch; torch.set_default_dtype(torch.float64)
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], requires_grad=True)
print(y_hat[[0, 1], y])
l = - torch.log(y_hat[range(len(y_hat)), y])
print(l, y_hat[list(range(len(y_hat))), y])
l.sum().backward()
print(y_hat.grad)
x = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()
r = x[torch.tensor([[1], [0]]), torch.tensor([-1, 0, 2])]
print(r.shape, r[1], x[range(1, 2), 2])
r.sum().backward()
print(x.grad[0], x[[1, 0], [2, -3], [3, 0]])
print(y_hat[[1, 0, 1], [[2], [0]]])
