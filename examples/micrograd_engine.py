# PyTorch twin of micrograd_engine.tx: the PyTorch half of micrograd's test/test_engine.py
# (github.com/karpathy/micrograd), as written there except: the micrograd half and its asserts
# become prints of PyTorch's values and gradients (what the asserts compare against), and the
# test functions are called at the end as pytest would.
import torch; torch.set_default_dtype(torch.float64)

def test_sanity_check():

    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xpt, ypt = x, y

    # forward pass went well
    print(ypt.data.item())
    # backward pass went well
    print(xpt.grad.item())

def test_more_ops():

    a = torch.Tensor([-4.0]).double()
    b = torch.Tensor([2.0]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    apt, bpt, gpt = a, b, g

    tol = 1e-6
    # forward pass went well
    print(gpt.data.item())
    # backward pass went well
    print(apt.grad.item(), bpt.grad.item())
    print((apt, bpt, gpt))

test_sanity_check()
test_more_ops()
