# PyTorch twin of leaves_in_functions.tx
import torch; torch.set_default_dtype(torch.float64)

def make(n, m, scale):
    w = torch.ones(n, m) * scale
    w.requires_grad_()
    return w

def random_weight(shape):
    w = torch.ones(shape) * 0.5
    w.requires_grad = True
    return w

w1 = make(2, 2, 1.0)
w2 = make(2, 2, 1.0)
x = torch.tensor([[1.0, 2.0]])
loss = x.mm(w1).mm(w2 * 3).sum()
loss.backward()
print(w1.grad, w2.grad)
a = random_weight((2, 3))
b = random_weight((3, 1))
(x.mm(a).tanh().mm(b)).sum().backward()
print(a.grad, b.grad)
for step in range(3):
    v = make(1, 2, step + 1.0)
    (v * v).sum().backward()
    print(step, v.grad, w1.grad.sum())
