# PyTorch twin of infinite_rows.tx: softmax and log_softmax of rows holding +inf or only -inf are
# nan, as PyTorch's kernels give (logsumexp masks them, and gives inf and -inf); erfc underflows
# to 0 where PyTorch's does (near 27.23), through the subnormals
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor
inf = float("inf")

z = tensor([[1., inf, 2.], [inf, inf, 0.], [-inf, 0., 1.], [-inf, -inf, -inf]], requires_grad=True)
y = torch.log_softmax(z, 1)
print(y)
y.sum().backward()
print(z.grad)
print(torch.softmax(z.detach(), 1))
print(torch.logsumexp(z.detach(), 1))
x = tensor([26.5, 27.0, 27.1, 27.2, 27.22, 27.23, 27.3, 28.0, 1e300, inf, -30.0])
print(torch.erfc(x).tolist())
