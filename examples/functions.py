# PyTorch twin of functions.tx (the derived functions are computed with torch.autograd.grad)
import torch; torch.set_default_dtype(torch.float64)

def loss(w, b, x, y):
    h = torch.tanh(x @ w + b)
    return torch.mean((h - y) ** 2)

w0 = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])
b0 = torch.tensor([0.05, -0.05])
X = torch.tensor([[1.0, 0.0, 2.0], [0.5, -1.0, 1.0], [0.0, 1.0, -1.0], [2.0, 1.0, 0.0]])
Y = torch.tensor([[0.5, -0.5], [0.0, 1.0], [1.0, 0.0], [-1.0, 0.5]])
print(loss(w0, b0, X, Y))
w = w0.clone().requires_grad_()
b = b0.clone().requires_grad_()
gw, gb = torch.autograd.grad(loss(w, b, X, Y), [w, b])  # tx: grad(loss, wrt=[w, b])
print(gw)
print(gb)
w = w0.clone().requires_grad_()
val = loss(w, b0, X, Y)                                 # tx: value_and_grad(loss, wrt=w)
(gw2,) = torch.autograd.grad(val, [w])
print(val.detach())  # called on plain tensors, the derived function's value does not require grad
torch.testing.assert_close(gw, gw2, rtol=1e-5, atol=1e-8)

def cube(x):
    return x ** 3

x = torch.tensor(2.0, requires_grad=True)
(d1,) = torch.autograd.grad(cube(x), [x], create_graph=True)
(d2,) = torch.autograd.grad(d1, [x])
print(cube(torch.tensor(2.0)), d1.detach(), d2)
