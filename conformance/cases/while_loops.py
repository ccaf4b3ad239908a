# PyTorch twin of while_loops.tx
import torch; torch.set_default_dtype(torch.float64)

a = torch.tensor(2.0, requires_grad=True)
x = a / 2
steps = 0
while abs(x * x - a) > 1e-12:
    x = (x + a / x) / 2
    steps += 1
print(steps, x)
x.backward()
print(a.grad)

w = torch.tensor([0.3, -0.4, 0.5], requires_grad=True)
v = w
k = 0
while torch.norm(v) < 10:
    v = v * 2 + torch.sin(w)
    k = k + 1
print(k, v)
torch.sum(v * v).backward()
print(w.grad)

c = torch.tensor(3.0, requires_grad=True)
lo = torch.tensor(0.0)
hi = torch.tensor(2.0)
while hi - lo > 1e-6:
    mid = (lo + hi) / 2
    if mid * mid * mid - c > 0:
        hi = mid
    else:
        lo = mid
print(lo, hi)

p = torch.tensor([1.0, 2.0, -1.0], requires_grad=True)
s = p * 0
for i in range(10):
    if i % 2 == 1:
        continue
    s = s + p * i
    if torch.sum(s) > 5:
        break
    s = torch.tanh(s)
print(s.detach())
torch.sum(s * s).backward()
print(p.grad)

q = torch.tensor(0.5, requires_grad=True)
r = q
j = 0
while True:
    j += 1
    if j % 3 == 0:
        continue
    r = r * 1.5 + q
    if r > 20:
        break
print(j, r)
r.backward()
print(q.grad)

def geometric(z):
    total = z
    term = z
    while abs(term) > 1e-3:
        term = term * z
        total = total + term
    return total
print(geometric(torch.tensor(0.5)))
zz = torch.tensor(0.5, requires_grad=True)
print(torch.autograd.grad(geometric(zz), zz)[0])

x = torch.tensor([0.2, 0.4], requires_grad=True)
h = x
n = 0
while n < 3:
    for i in range(5):
        h = h * 1.1 + torch.sin(h)
        if torch.sum(h) > 2 + n:
            break


    n += 1

print(n, h)
torch.sum(h).backward()
print(x.grad)
y = torch.tensor(1.0, requires_grad=True)
acc = y * 0
for i in range(4):
    k = 0
    while k < i:
        k += 1
        if k == 2:
            continue

        acc = acc + y ** k


print(acc)
acc.backward()
print(y.grad)
print(x.is_leaf, h.is_leaf)

w = torch.tensor([0.5, -0.3], requires_grad=True)
X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
Y = torch.tensor([1.0, 2.0, 3.0])
loss = torch.mean((X @ w - Y) ** 2)
steps = 0
while loss.item() > 1e-3:
    loss = torch.mean((X @ w - Y) ** 2)
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
    steps += 1
print(steps, loss.item(), w)
x = torch.tensor(5.0, requires_grad=True)
y = x
while y < 0:
    y = y * 2
    z = y
print(y)
y.backward()
print(x.grad)

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
s = x * 0
for i in range(3):
    if x[i] > 1:
        s = s + x * 2
    elif x[i] > 0:
        s = s + x ** 2
    elif x[i] > -2:
        s = s - x
    else:
        s = s + 1
print(s)
torch.sum(s).backward()
print(x.grad)

def wf(x):
    h = x
    k = 0
    while k < 4:
        h = torch.sin(h) * x + h * 0.5
        k += 1
    return torch.sum(h * h)
print(torch.autograd.functional.hessian(wf, torch.tensor([0.3, -0.7])))

def inner(h, x):
    k = 0
    while torch.sum(h * h) < 4 + k:
        h = h * 1.2 + torch.sin(x)
        k += 1
    return h
x = torch.tensor([0.3, 0.2], requires_grad=True)
h = x
for t in range(3):
    h = inner(h * 0.5, x)
    print(t, h)
torch.sum(h * h).backward()
print(x.grad)
with torch.no_grad():
    y = x
    while torch.sum(y) < 3:
        y = y * 2
print(y)
