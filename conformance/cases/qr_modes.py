# PyTorch twin of qr_modes.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT; torch.qr's
# deprecation warning is silenced here.
import warnings; warnings.filterwarnings("ignore")
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, zeros
from functorch import vmap
A = tensor([[4.0, -2.0], [3.0, 6.0], [2.0, 1.0]], requires_grad=True)
B = tensor([[4.0, -2.0, 1.0], [3.0, 6.0, 2.0]], requires_grad=True)
S = tensor([[[2.0, 1.0], [1.0, 3.0], [0.5, -1.0]], [[0.5, -1.0], [2.0, 4.0], [-1.0, 2.5]]])
r = torch.linalg.qr(A, mode="r")
print(r)
print(r.Q.shape, r.Q.requires_grad, r.R.requires_grad, r.Q.is_leaf)
print(torch.linalg.qr(B, mode="r"), torch.linalg.qr(S, mode="r"), torch.linalg.qr(S, mode="r").Q.shape)
with torch.no_grad():
    print(torch.linalg.qr(A, mode="r"))
c = torch.linalg.qr(A, mode="complete")
print(c, (c.Q @ c.R - A).abs().max() < 1e-12)
print(torch.qr(A, some=False), A.qr(some=False).R)
print(torch.linalg.qr(S, mode="complete"))
print(torch.linalg.qr(tensor([[0.0, 1.0], [0.0, 2.0], [0.0, -2.0], [1.0, 1.0]]), mode="complete"), torch.linalg.qr(zeros(3, 1), mode="complete"))
print(torch.linalg.qr(B, mode="complete").R, torch.linalg.qr(A.detach(), "r"))

def rsum(M):
    return torch.linalg.qr(M, mode="r").R.sum() + torch.linalg.qr(M, mode="complete").Q.sum()
print(vmap(rsum)(S))
