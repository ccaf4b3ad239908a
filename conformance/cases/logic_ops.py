# PyTorch twin of logic_ops.tx
import torch; torch.set_default_dtype(torch.float64)

print(1 < 2 and 3 > 4, not True, 0 or 5, None or 2 == 2, 2.5 and 3, not 0.0, 1 if 2 > 3 else 4.5)
print(5, 7 // 2, -7 // 2, 7 % 3, 7 / 2, 2 ** -1, 0.05, 2 < 3)

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
v = torch.sum(x) / 4
w = v > 0 and v * 2 or v - 1
print(w)
print(v * 10 if v > 0.2 else v, not v, not (v > 1))

total = 0.0
for i in range(5):
    c = x[i] if i < 3 else x[0] * 0
    total = total + (i < 3 and x[i] > 0) * c
print(total)
total.backward()
print(x.grad)

y = torch.tensor([0.5, 2.0], requires_grad=True)
s = torch.sum(y)
z = s * s if s > 2 else -s
z.backward()
print(z, y.grad)

for t in range(4):
    if t == 0:
        print("zero")
    elif t == 1:
        print("one")
    elif t < 3 and not t == 1:
        print("two")
    else:
        print("many")

c = 5
c //= 2
c **= 3
c %= 5
d = 2.0
d **= 0.5
print(c, d)
h = torch.tensor([7.0, -7.0, 5.5])
h //= 2
print(h)
h %= 3
print(h)
h **= 2
print(h)

g = torch.tensor([1.0, 2.0], requires_grad=True)
if g.grad is None:
    print("no grad yet")
torch.sum(g * g).backward()
print(g.grad is None, g.grad is not None, None is None, 3 is not None)
if g.grad is not None:
    print(g.grad)
