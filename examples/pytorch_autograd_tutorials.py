# PyTorch twin of pytorch_autograd_tutorials.tx: two of PyTorch's autograd tutorials
# (github.com/pytorch/tutorials), as written there except: float64 (the default dtype set below,
# so torch.randn and torch.rand draw float64), the resnet18
# fine-tuning part of the second tutorial left out, and a grad_fn printed as `<AddBackward0 object>`
# (PyTorch adds the object's address, which no two runs share; see `show` below).
import torch; torch.set_default_dtype(torch.float64)

def show(f):
    return None if f is None else f"<{type(f).__name__} object>"

# ---- "Automatic Differentiation with torch.autograd" (beginner_source/basics/autogradqs_tutorial.py)
torch.manual_seed(0)  # not in the tutorial: unseeded, PyTorch's numbers change from run to run
x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {show(z.grad_fn)}")
print(f"Gradient function for loss = {show(loss.grad_fn)}")

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

# ---- "A Gentle Introduction to torch.autograd" (beginner_source/blitz/autograd_tutorial.py):
# "Differentiation in Autograd" and "Exclusion from the DAG"
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
# check if collected gradients are correct
print(9*a**2 == a.grad)
print(-2*b == b.grad)

x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)

a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")
