# Several targets of which some are indexed, `s[0], s[1] = f(x)`: the right-hand side first, then
# each target from its item, left to right, as Python assigns them (a tensor row, a dict key, a name).
import torch
torch.set_default_dtype(torch.float64)


def f(x):
    return x * 2, x + 1


s = torch.zeros(4, 2)
s[0], s[1] = f(torch.tensor([1.0, 2.0]))
a, s[3] = s[1] * 10, s[0]
print(s, a)
d = {"a": 1}
d["b"], n = 2, 3
print(d, n)
w = torch.tensor([1.0, 2.0], requires_grad=True)
h = torch.zeros(2, 2)
for i in range(2):
    h[i], _ = f(w * i)
h.sum().backward()
print(w.grad)
(s[0], s[1]) = f(torch.tensor([5.0, 6.0]))
[s[2], q] = f(torch.tensor([7.0, 8.0]))
print(s, q)
