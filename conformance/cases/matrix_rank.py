# PyTorch twin of matrix_rank.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT.
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, zeros, eye, diag, sqrt
A = tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], requires_grad=True)
W = tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]])
S = tensor([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]])
r = torch.linalg.matrix_rank(A)
print(r, r.dtype, r.requires_grad, torch.linalg.matrix_rank(W), torch.linalg.matrix_rank(W.mT), torch.linalg.matrix_rank(S))
print(torch.linalg.matrix_rank(eye(4)), torch.linalg.matrix_rank(zeros(3, 2)), torch.linalg.matrix_rank(zeros(2, 0, 3)), torch.linalg.matrix_rank(diag(tensor([1.0, 1e-10, 1e-17]))))
D = diag(tensor([10.0, 1.0, 0.5, 1e-3]))
print(torch.linalg.matrix_rank(D, atol=0.6), torch.linalg.matrix_rank(D, rtol=0.05), torch.linalg.matrix_rank(D, atol=0.6, rtol=0.01), torch.linalg.matrix_rank(D, atol=0.0, rtol=0.2))
print(torch.linalg.matrix_rank(D, tol=0.75), torch.linalg.matrix_rank(D, 0.01), torch.linalg.matrix_rank(D, atol=1.0), torch.linalg.matrix_rank(-D, hermitian=True))
H = tensor([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
print(torch.linalg.matrix_rank(H, hermitian=True), torch.linalg.matrix_rank(H - 2 * eye(3), hermitian=True), torch.linalg.matrix_rank(H - (2 - sqrt(tensor(2.0))) * eye(3), hermitian=True))
s = A.sum() * torch.linalg.matrix_rank(A)
s.backward()
print(s, A.grad)
