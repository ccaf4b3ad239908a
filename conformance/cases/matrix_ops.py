# PyTorch twin of matrix_ops.tx
# NOTE: tx's x.T swaps the last two dims (LANGUAGE.md section 5), PyTorch's x.mT.
import torch; torch.set_default_dtype(torch.float64)

def shape(t):
    return t.shape

A = torch.tensor([[1.0, -2.0, 3.0, 0.5], [4.0, 5.0, -6.0, 2.0], [7.0, -8.0, 9.0, 1.5]], requires_grad=True)
B = torch.tensor([[[1.0, 2.0], [3.0, -4.0]], [[0.5, -1.0], [2.0, 6.0]]], requires_grad=True)
v = torch.tensor([1.5, -2.0, 0.25], requires_grad=True)
u = torch.tensor([0.5, 2.0, -1.0], requires_grad=True)
W = torch.tensor([[0.5, -1.5, 2.0, 1.0], [3.0, 0.75, -0.25, -2.0], [1.0, 2.0, 3.0, 4.0]])

print(torch.tril(A), torch.triu(A))
print(torch.tril(A, 1), A.triu(diagonal=-1), torch.tril(A, -3), torch.triu(A, 4))
print(torch.tril(B, diagonal=-1), torch.triu(B))
print(torch.diag(v), torch.diag(v, 1), torch.diag(v, diagonal=-2))
print(torch.diag(A), torch.diag(A, 1), A.diag(-2), shape(torch.diag(A, 4)))
print(torch.diagonal(A), torch.diagonal(A, 2), torch.diagonal(A, offset=-1), A.diagonal(1, 1, 0))
print(torch.diagonal(B, 0, 1, 2), torch.diagonal(B, 0, -1, 0), torch.diagonal(B, dim1=2, dim2=0, offset=1))
print(torch.trace(A), B[0].trace())
print(torch.mm(A.mT, A), A.mm(W.mT))
print(torch.bmm(B, B), B.bmm(B.mT))
print(torch.mv(A.mT, v), A.mv(torch.tensor([1.0, 0.0, -1.0, 2.0])))
print(torch.kron(v, u), torch.kron(B[0], torch.tensor([[1.0, 10.0]])), shape(torch.kron(v, B)))
print(torch.cross(v, u), torch.cross(torch.stack([v, u]), torch.stack([u, v]), dim=1), v.cross(u, dim=0))
print(torch.cross(torch.stack([v, u], dim=1), torch.stack([u, u], dim=1)))

s = (torch.tril(A) * W).sum() + (torch.triu(A, 1) * W * W).sum() + (torch.tril(B, -1) * B).sum()
s.backward()
print(A.grad, B.grad)
A.grad = None; B.grad = None
s = (torch.diag(v, 1) * torch.arange(16.0).reshape(4, 4)).sum() + (torch.diag(A, 1) * u).sum() + (torch.diagonal(B, 0, 1, 2) * B[:, 0]).sum() + torch.trace(A[:, :3] * A[:, 1:])
s.backward()
print(v.grad, A.grad, B.grad)
A.grad = None; B.grad = None; v.grad = None
s = (torch.mm(A.mT, A) * torch.arange(16.0).reshape(4, 4)).sum() + (torch.bmm(B, B.mT) * B).sum() + (torch.mv(A, W[0]) * v).sum()
s.backward()
print(A.grad, B.grad, v.grad)
A.grad = None; B.grad = None; v.grad = None
s = (torch.kron(v, u) * torch.arange(9.0)).sum() + (torch.kron(B[1], A[:2, :2]) * torch.arange(16.0).reshape(4, 4)).sum() + (torch.cross(v, u) * torch.tensor([1.0, -2.0, 3.0])).sum()
s.backward()
print(v.grad, u.grad, A.grad, B.grad)
v.grad = None; u.grad = None
c = torch.cross(torch.reshape(v, (1, 3)), torch.stack([u, v * 2]))
print(c)
s = (c * torch.tensor([[1.0, -1.0, 2.0], [0.5, 3.0, -2.0]])).sum()
s.backward()
print(v.grad, u.grad)
