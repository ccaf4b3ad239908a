# PyTorch twin of vector_norms.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, inf
x = tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)
v = tensor([3.0, -4.0, 0.0], requires_grad=True)
print(torch.linalg.vector_norm(v), torch.linalg.vector_norm(x), torch.linalg.vector_norm(x, ord=1, dim=1), torch.linalg.vector_norm(x, ord=inf), torch.linalg.vector_norm(x, 1, 0, True))
print(torch.linalg.norm(v), torch.linalg.norm(x), torch.linalg.norm(x, "fro"), torch.linalg.norm(x, "nuc"), torch.linalg.norm(x, dim=1), torch.linalg.norm(v, ord=1), torch.linalg.norm(x, ord=2), torch.linalg.norm(x, ord=1, dim=1), torch.linalg.norm(x, inf), torch.linalg.norm(x, dim=(0, 1)))
s = torch.linalg.vector_norm(x, dim=1).sum() + torch.linalg.norm(v) + torch.linalg.norm(x, "nuc") + torch.linalg.vector_norm(torch.zeros(2, requires_grad=True) * x[0, :2])
s.backward()
print(x.grad, v.grad)
