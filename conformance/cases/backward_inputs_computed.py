# PyTorch twin of backward_inputs_computed.tx
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
y = (h ** 2).sum()
y.backward(inputs=[h], retain_graph=True)
print(h.grad, x.grad)
y.backward(inputs=[x, h])
print(h.grad, x.grad)
z = (x * 3).sum()
z.backward()
print(h.grad, x.grad)
