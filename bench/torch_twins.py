"""PyTorch twins of bench/cases/*.tx: the same functions, timed the way `tx bench` times them.

Prints one JSON line per case: {"case": .., "function_ms": .., "gradient_ms": .., "peak_bytes": ..}.
float64, one thread, seeded standard-normal inputs; "gradient" is the forward pass plus backward for
the same parameters as the tx case. Medians: a warm-up of half a second, then rounds of 0.2 s until
the median moves by less than 2% (at most 20 s), as tx bench does. peak_bytes is the peak of
memory during one value-and-gradient run, estimated from the process's peak resident size (the
growth of ru_maxrss over that run, plus the inputs): PyTorch 1.13 has no CPU allocator statistics.
"""
import json
import os
import resource
import statistics
import sys
import time

# NOTE: torch.set_num_threads(1) does not reach the system BLAS: Debian's PyTorch calls
# libopenblas0-pthread, whose own threads took both cores (a 512^3 product took 2.4 ms wall, 4.8 ms
# of CPU). OpenBLAS reads these before it starts, so they are set before torch is imported.
# BENCH_THREADS (default 1) sets both; bench/threads.sh uses it to compare 1 and 2 threads.
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(THREADS)


def rosen(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def mlp(W1, b1, W2, b2, X, Y):
    h = torch.relu(X @ W1 + b1)
    z = h @ W2 + b2
    return -(Y * F.log_softmax(z, dim=1)).sum(dim=1).mean()


CASES = {
    "elementwise": (lambda x: (torch.sin(x) * torch.exp(-x * x) + torch.tanh(x)).sum(), [[1000000]], [0]),
    "mlp": (mlp, [[784, 128], [128], [128, 10], [10], [64, 784], [64, 10]], [0, 1, 2, 3]),
    "rosenbrock100": (rosen, [[100]], [0]),
    "matmul": (lambda a, b: (a @ b).sum(), [[512, 512], [512, 512]], [0]),
    "rosenbrock1e6": (rosen, [[1000000]], [0]),
    "attention": (lambda q, k, v: ((torch.softmax(q @ k.T / 8, dim=1) @ v) ** 2).sum(), [[128, 64]] * 3, [0, 1, 2]),
    "lenet_conv1": (lambda w, b, x: (F.conv2d(x, w, b) ** 2).sum(), [[6, 1, 5, 5], [6], [16, 1, 28, 28]], [0, 1]),
    "lenet_conv2": (lambda x, w, b: (F.conv2d(x, w, b) ** 2).sum(), [[16, 6, 12, 12], [16, 6, 5, 5], [16]], [0, 1, 2]),
}


def median_ms(run):
    end = time.perf_counter() + 0.5
    warm = 0
    while time.perf_counter() < end or warm < 5:
        run()
        warm += 1
    samples, previous, deadline = [], None, time.perf_counter() + 20
    while True:
        round_end, runs = time.perf_counter() + 0.2, 0
        while runs < 5 or time.perf_counter() < round_end:
            t0 = time.perf_counter()
            run()
            samples.append((time.perf_counter() - t0) * 1000)
            runs += 1
        m = statistics.median(samples)
        if previous is not None and abs(m - previous) <= 0.02 * m or time.perf_counter() > deadline:
            return m
        previous = m


def main(names):
    gen = torch.Generator().manual_seed(20261127)
    for name in names:
        f, shapes, wrt = CASES[name]
        inputs = [torch.randn(*s, generator=gen) for s in shapes]
        def function():
            with torch.no_grad():
                f(*inputs)
        def gradient():
            args = [x.detach().requires_grad_(i in wrt) for i, x in enumerate(inputs)]
            y = f(*args)
            torch.autograd.grad(y, [args[i] for i in wrt])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        gradient()
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
        peak = grown + sum(x.numel() * 8 for x in inputs)
        print(json.dumps({"case": name, "function_ms": median_ms(function), "gradient_ms": median_ms(gradient), "peak_bytes": peak}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(CASES))
