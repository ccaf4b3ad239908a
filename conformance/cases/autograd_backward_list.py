# PyTorch twin of autograd_backward_list.tx: torch.autograd.backward of several tensors at once, with a
# gradient for each (None for a scalar), retain_graph= and inputs=
import torch
torch.set_default_dtype(torch.float64)
from torch import tensor

a = tensor([1.0, 2.0], requires_grad=True)
b = tensor([3.0, 4.0], requires_grad=True)
y1 = torch.sum(a * b)
y2 = a * a
torch.autograd.backward([y1, y2], [None, tensor([1.0, 0.5])])
print(a.grad, b.grad)
h = a * 3
torch.autograd.backward((torch.sum(h), torch.sum(h * h)), retain_graph=True)
print(a.grad)
torch.autograd.backward([torch.sum(h * b)], inputs=[b])
print(a.grad, b.grad)
