# PyTorch twin of detach.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
d = torch.detach(y)
print(d)
print(d.requires_grad)
z = torch.sum(d * x)
z.backward()
print(x.grad)

x.grad = None  # tx: zero_grad(x)
z = torch.sum(y * x)
z.backward()
print(x.grad)

x.grad = None
scaled = x * 0.75
st = scaled + (scaled.detach() * 2 - scaled.detach())
print(st)
st.sum().backward()
print(x.grad)
