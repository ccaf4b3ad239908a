# PyTorch twin of safe_where.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.tensor([-1.0, 0.25, 4.0], requires_grad=True)
y = torch.where(x > 0, torch.sqrt(x), 0.)
print(y)
# tx promises that the untaken branch contributes exactly 0, even where sqrt'(x) is nan
# (LANGUAGE.md section 5). PyTorch gives nan at x = -1, so the expected gradient is computed
# by the usual "double where" workaround: sqrt only ever sees a safe input.
x_safe = torch.where(x > 0, x, torch.ones_like(x))
torch.sum(torch.where(x > 0, torch.sqrt(x_safe), 0.)).backward()
print(x.grad)

x.grad = None  # tx: zero_grad(x)
leaky = torch.where(x > 0, x, 0.1 * x)
print(leaky)
leaky.sum().backward()
print(x.grad)

x.grad = None
safe_log = torch.where(x > 0, torch.log(x), x)
print(safe_log)
safe_log.sum().backward()
print(x.grad)

print(x > 0)

x.grad = None
rows = torch.tensor([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
z = torch.where(rows > 0, torch.sqrt(x), 0.)
print(z)
# the same "double where" gives the gradient tx promises; the column of x = -1 is never chosen
x_safe = torch.where(x > 0, x, torch.ones_like(x))
torch.sum(torch.where(rows > 0, torch.sqrt(x_safe), 0.)).backward()
print(x.grad)
