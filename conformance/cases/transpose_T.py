# PyTorch twin of transpose_T.tx
import torch; torch.set_default_dtype(torch.float64)
import warnings; warnings.simplefilter("ignore")
from torch import tensor
D = torch.reshape(torch.arange(24.0), [2, 3, 4]).requires_grad_()
print(D.T.shape, torch.ones(2, 3, 4, 5).T.shape)
y = (D.T * torch.reshape(torch.arange(24.0), [4, 3, 2])).sum()
y.backward()
print(D.T[1], D.grad[0])
print(D.mT.shape, tensor([1.0, 2.0]).T)
