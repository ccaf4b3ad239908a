# PyTorch twin of softmax_implicit_dim.tx: softmax and log_softmax without dim take PyTorch's
# implicit dimension (0 for 0, 1 or 3 dimensions, else 1); both warn that the choice is deprecated
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
from torch import tensor

v = tensor([1.0, 2.0, 4.0])
print(F.softmax(v))
m = tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
y = F.log_softmax(m)
print(y)
y[0, 0].backward()
print(m.grad)
t = torch.arange(8.0).reshape(2, 2, 2)
print(F.softmax(t))
q = torch.arange(16.0).reshape(2, 2, 2, 2) / 4
print(F.log_softmax(q))
print(F.softmax(tensor(3.0)))
