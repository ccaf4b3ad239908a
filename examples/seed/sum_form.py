# PyTorch twin of sum_form.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
s = torch.sum(x * 2)
print(s)
torch.autograd.backward(s)
print(x.grad)
t = (x * 2).sum()
print(t)
print(t.item())
