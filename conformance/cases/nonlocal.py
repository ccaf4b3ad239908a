# PyTorch twin of nonlocal.tx
import torch
torch.set_default_dtype(torch.float64)
def make_counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc
c = make_counter()
print(c(), c(), c())
c2 = make_counter()
print(c2(), c())
def running_mean(xs):
    total = 0.0
    n = 0
    def add(x):
        nonlocal total, n
        total += x
        n += 1
    for x in xs:
        add(x)
    return total / n
print(running_mean([1.0, 2.0, 4.0]))
def train(steps):
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    seen = 0.0
    step = 0
    best = None
    def record(loss):
        nonlocal seen, step, best
        seen += loss.item()
        step += 1
        best = loss.detach()
    for i in range(steps):
        loss = (w * w).sum()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        w.grad.zero_()
        record(loss)
    return w, seen, step, best
print(train(5))
def apply_twice(f):
    f()
    f()
def counting(x):
    calls = 0
    last = x
    def bump():
        nonlocal calls, last
        calls += 1
        last = last * 2
    peek = lambda: calls * 10
    apply_twice(bump)
    return calls, last, peek()
print(counting(torch.tensor([1.0, -0.5])))
def nested():
    total = 0
    def middle():
        nonlocal total
        def inner(k):
            nonlocal total
            total += k
        inner(2)
        inner(3)
        total *= 10
    middle()
    return total
print(nested())
def newton(x0):
    x = x0
    steps = 0
    def step():
        nonlocal x, steps
        x = x - 0.5 * (x * x - 2) / x
        steps += 1
    while abs(x * x - 2) > 1e-10:
        step()
    return x, steps
print(newton(3.0))
def accumulate(w):
    acc = torch.zeros(2)
    def add(v):
        nonlocal acc
        acc = acc + v
    for i in range(4):
        add(w * i)
    return acc
w = torch.tensor([1.0, 2.0], requires_grad=True)
a = accumulate(w)
a.sum().backward()
print(a, w.grad)
def counted(n):
    calls = 0
    def bump():
        nonlocal calls
        calls += 1
    for i in range(n):
        apply_twice(bump)
    fs = [bump]
    for i in range(n):
        fs[0]()
    return calls
print(counted(3))
