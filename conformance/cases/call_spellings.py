# PyTorch twin of call_spellings.tx
import torch; torch.set_default_dtype(torch.float64)

def scale(x, a, b=1.0):
    return x * a + b

train = (torch.tensor([1.0, 2.0]), 3.0)
print(scale(*train), scale(*train, b=0.5), scale(torch.ones(2), *[2.0, -1.0]), max(*[3, 7, 5]))
shape = (2, 3)
print(torch.zeros(*shape).shape, torch.ones(*shape, requires_grad=True).sum())
w = torch.tensor([1.0, -2.0], requires_grad=True)
loss = (w ** 3).sum()
grads = torch.autograd.grad(outputs=loss, inputs=[w], create_graph=True)
for grad in grads:
    print(grad)
penalty = grads[0].pow(2).sum()
penalty.backward()
print(w.grad)
