# PyTorch twin of tuples_lists.tx
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

a = torch.tensor(1.0)
b = torch.tensor(2.0)
t = (a, b)
print(t)
print((1, 2), (0.5,), (True, 3))
a, b = b, a                       # both right-hand sides are evaluated first
print(a, b)
x, y, z = 1, 2.5, a
print((x, y), z)

w1 = torch.tensor([[1.0, -1.0], [0.5, 2.0]], requires_grad=True)
b1 = torch.tensor([0.0, 0.1], requires_grad=True)
w2 = torch.tensor([1.0, 2.0], requires_grad=True)
b2 = torch.tensor(0.5, requires_grad=True)
params = [w1, b1, w2, b2]
print((len(params), len(t), len(w1)))
print(params[0])
print(params[-1], params[1])
print(params[1:3])
last = params[-1]
print(last)

# a list and a tuple as a function's result and as arguments
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
pieces = torch.split(x, 2)
print(pieces)
print(torch.split(x, 2)[0], torch.split(x, 2)[-1])
print((len(pieces),), torch.chunk(x, 5)[4])
print(F.pad(x, (1, 2)))
print(torch.cat((x, x)), torch.stack((x, x), dim=1))

# a training step through a list's items
h = torch.tanh(params[0] @ torch.tensor([1.0, -2.0]) + params[1])
loss = params[2] @ h + params[3]
loss.backward()
for p in params:
    print(p.grad)

# a one-item tuple unpacked, as d2l's RNN writes `H, = state`
state = (torch.tanh(torch.tensor([0.5, -0.5])),)
H, = state
print(H, (len(state),))

# one piece is a one-item tuple, as in PyTorch
one = torch.split(x, 5)
print(one, torch.split(x, 5)[0], torch.unbind(torch.tensor([[7.0, 8.0]])))
print(f"params {params[2:]} and {(1, 2.5)}")
