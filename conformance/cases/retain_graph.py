# PyTorch twin of retain_graph.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 2).sum()
y.backward(retain_graph=True)
y.backward()
print(x.grad)

# positional and keyword forms together
x.grad = None
v = torch.tanh(x)
v.backward(torch.tensor([1.0, 2.0]), retain_graph=True)
v.backward(gradient=torch.tensor([1.0, 1.0]))
print(x.grad)

# a graph whose operations save nothing (sums, differences, reshapes) can be gone through again
x.grad = None
s = (x + 1).sum() - x[0]
s.backward()
s.backward()
print(x.grad)

# create_graph=False and retain_graph=False are the defaults
x.grad = None
(x ** 3).sum().backward(retain_graph=False, create_graph=False)
print(x.grad)
