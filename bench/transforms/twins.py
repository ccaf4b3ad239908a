"""functorch twins of bench/transforms/transforms.tx, timed as `tx bench` times a function.

Prints one JSON line per case: {"case": .., "ms": ..}. float64, one thread (set before torch is
imported, so that OpenBLAS sees it too), seeded standard-normal inputs; medians after half a second
of warm-up, rounds of 0.2 s until the median moves by less than 2% (at most 20 s).
"""
import json
import os
import statistics
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import torch
import torch.nn.functional as F
from functorch import grad, hessian, jacfwd, jacrev, jvp, vmap

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def f(x, A):
    return (torch.tanh(A @ x) ** 2).sum() + (x * torch.sin(x)).sum()


def g(x, A):
    return torch.tanh(A @ x) * x


def loss(W1, b1, W2, x, y):
    h = torch.relu(W1 @ x + b1)
    return -(y * F.log_softmax(W2 @ h, dim=0)).sum()


def cnn_loss(w1, w2, W, x, y):
    h = F.max_pool2d(torch.relu(F.conv2d(x, w1, padding=1)), 2)
    h = torch.relu(F.conv2d(h, w2, padding=1))
    logits = torch.reshape(h, [784]) @ W.T
    return -(y * F.log_softmax(logits, dim=0)).sum()


def huber_loss(W1, b1, W2, x, y):
    # functorch's vmap refuses a Python `if` on a tensor: its users write the select themselves
    h = torch.relu(W1 @ x + b1)
    r = torch.norm(W2 @ h - y)
    return torch.where(r < 1.0, 0.5 * r ** 2, r - 0.5)


def median_ms(run):
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        run()
    samples, previous, deadline = [], None, time.perf_counter() + 20
    while time.perf_counter() < deadline:
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < 0.2:
            run()
            n += 1
        samples.append((time.perf_counter() - start) * 1000 / n)
        m = statistics.median(samples)
        if len(samples) >= 5 and previous is not None and abs(m - previous) < 0.02 * m:
            break
        previous = m
    return statistics.median(samples)


def main(case):
    torch.manual_seed(0)
    x, A, v = torch.randn(100), torch.randn(100, 100), torch.randn(100)
    W1, b1, W2 = torch.randn(64, 784), torch.randn(64), torch.randn(10, 64)
    X, Y = torch.randn(128, 784), torch.randn(128, 10)
    xg = x.clone().requires_grad_()
    c1, c2, cW = torch.randn(8, 1, 3, 3), torch.randn(16, 8, 3, 3), torch.randn(10, 784)
    CX, CY = torch.randn(64, 1, 1, 14, 14), torch.randn(64, 10)
    runs = {
        "f": lambda: f(x, A),
        "f_grad": lambda: torch.autograd.grad(f(xg, A), xg),
        "f_jvp": lambda: jvp(lambda x: f(x, A), (x,), (v,)),
        "f_hvp": lambda: jvp(grad(lambda x: f(x, A)), (x,), (v,)),
        "g_jacfwd": lambda: jacfwd(g)(x, A),
        "g_jacrev": lambda: jacrev(g)(x, A),
        "per_example": lambda: vmap(grad(loss, argnums=(0, 1, 2)), in_dims=(None, None, None, 0, 0))(W1, b1, W2, X, Y),
        "huber_per_example": lambda: vmap(grad(huber_loss, argnums=(0, 1, 2)), in_dims=(None, None, None, 0, 0))(W1, b1, W2, X, Y),
        "cnn_per_example": lambda: vmap(grad(cnn_loss, argnums=(0, 1, 2)), in_dims=(None, None, None, 0, 0))(c1, c2, cW, CX, CY),
    }
    print(json.dumps({"case": case, "ms": median_ms(runs[case])}))


if __name__ == "__main__":
    main(sys.argv[1])
