# PyTorch twin of backward_inputs.tx: backward(inputs=) sets .grad on the leaves named only (one tensor or a list),
# a leaf outside the graph keeps None; torch.autograd.backward's function form and its grad_tensors=
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor

a = tensor([1., 2.], requires_grad=True)
b = tensor([3., 4.], requires_grad=True)
c = tensor([5.], requires_grad=True)
y = (a * b).sum()
y.backward(inputs=[a], retain_graph=True)
print(a.grad, b.grad)
y.backward(inputs=b, retain_graph=True)
print(a.grad, b.grad)
y.backward(inputs=[c])
print(c.grad)
y = (a * b).sum()
torch.autograd.backward(y, inputs=[b])
print(a.grad, b.grad)
z = a * b
torch.autograd.backward(z, grad_tensors=torch.ones(2))
print(a.grad)
