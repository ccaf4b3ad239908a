# PyTorch twin of batched_matmul.tx
import torch; torch.set_default_dtype(torch.float64)

A = (torch.arange(12.) / 10).reshape(2, 2, 3)
A.requires_grad_()
B = torch.tensor([[[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 0.0, -1.0], [0.0, 2.0, 1.0, 0.5]],
                  [[-1.0, 1.0, 0.5, 0.0], [2.0, 0.0, 1.0, 1.0], [1.0, -0.5, 0.0, 1.0]]], requires_grad=True)
C = A @ B
print(C.shape)
print(C.detach())
G = torch.arange(16.).reshape(2, 2, 4) / 8
loss = torch.sum(C * G)
loss.backward()
print(A.grad)
print(B.grad)
# x.mT swaps the last two dims (x.T would reverse all dims, in tx as in PyTorch)
torch.testing.assert_close(A.grad, G @ B.detach().mT, rtol=1e-5, atol=1e-8)
torch.testing.assert_close(B.grad, A.detach().mT @ G, rtol=1e-5, atol=1e-8)

M = torch.tensor([[1.0, -1.0], [0.0, 2.0], [0.5, 0.5]], requires_grad=True)
A.grad = None  # tx: zero_grad(A)
D = torch.matmul(A, M)
print(D.shape)
print(D.detach())
torch.sum(D ** 2).backward()
print(M.grad)
print(A.grad)
