"""PyTorch twins of bench/cases/*.tx: the same functions, timed the way `tx bench` times them.

Prints one JSON line per case: {"case": .., "function_ms": .., "gradient_ms": .., "peak_bytes": ..,
"function_cpu_ms": .., "gradient_cpu_ms": ..}, the last two the medians of the CPU time of the calling
thread over the same runs (time.thread_time; with one thread PyTorch runs the whole call there).
float64, one thread, seeded standard-normal inputs; "gradient" is the forward pass plus backward for
the same parameters as the tx case. Medians: a warm-up of half a second, then rounds of 0.2 s until
the median moves by less than 2% (at most 20 s), as tx bench does. peak_bytes is the peak of
memory during one value-and-gradient run, estimated from the process's peak resident size (the
growth of ru_maxrss over that run, plus the inputs): PyTorch 1.13 has no CPU allocator statistics.
"""
import json
import math
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



# ADBench's objectives (Srajer, Kukelova and Fitzgibbon 2018; after github.com/microsoft/ADBench,
# src/python/modules/PyTorch/*_objective.py), line for line as bench/cases/gmm.tx, lstm.tx and ba.tx.
def gmm(alphas, means, icf, x):
    n, d = x.shape
    K = alphas.shape[0]
    wishart_gamma, wishart_m = 1.0, 0
    Qdiags = torch.exp(icf[:, :d])
    sum_qs = torch.sum(icf[:, :d], 1)
    # NOTE: the same gather as gmm.tx; a PyTorch user might fill Ls column by column
    # (Ls[:, i + 1:, i] = icf[:, j:j + d - i - 1]), which tx refuses (bench/README.md).
    r = torch.arange(d)[:, None]
    c = torch.arange(d)[None, :]
    below = r > c
    idx = torch.where(below, d + c * (d - 1) - c * (c - 1) // 2 + r - c - 1, 0)
    Ls = torch.where(below, icf[:, idx], 0.0)
    xcentered = x[:, None, :] - means[None, :, :]
    Lxcentered = Qdiags * xcentered + torch.einsum("ijk,mik->mij", Ls, xcentered)
    sqsum_Lxcentered = torch.sum(Lxcentered ** 2, 2)
    inner_term = alphas + sum_qs - 0.5 * sqsum_Lxcentered
    slse = torch.sum(torch.logsumexp(inner_term, 1))
    CONSTANT = -n * d * 0.5 * math.log(2 * math.pi)
    nw = d + wishart_m + 1
    out = torch.sum(0.5 * wishart_gamma * wishart_gamma * (torch.sum(Qdiags ** 2, 1) + torch.sum(icf[:, d:] ** 2, 1)) - wishart_m * sum_qs)
    C = nw * d * math.log(wishart_gamma / math.sqrt(2))
    prior = out - K * (C - torch.special.multigammaln(torch.tensor(0.5 * nw), d))
    return CONSTANT + slse - n * torch.logsumexp(alphas, 0) + prior


def lstm_cell(weight, bias, hidden, cell, x):
    gates = torch.cat((x, hidden, x, hidden)) * weight + bias
    hsize = hidden.shape[0]
    forget = torch.sigmoid(gates[0:hsize])
    ingate = torch.sigmoid(gates[hsize:2 * hsize])
    outgate = torch.sigmoid(gates[2 * hsize:3 * hsize])
    change = torch.tanh(gates[3 * hsize:])
    cell = cell * forget + ingate * change
    hidden = outgate * torch.tanh(cell)
    return hidden, cell


def lstm_predict(w, w2, s, x):
    s2 = s.clone().detach()
    x = x * w2[0]
    for i in range(0, len(s), 2):
        (s2[i], s2[i + 1]) = lstm_cell(w[i], w[i + 1], s[i], s[i + 1], x)
        x = s2[i]
    return x * w2[1] + w2[2], s2


def lstm_objective(main_params, extra_params, state, sequence):
    total = 0.0
    count = 0
    x = sequence[0]
    all_states = [state]
    for t in range(len(sequence) - 1):
        ypred, new_state = lstm_predict(main_params, extra_params, all_states[t], x)
        all_states.append(new_state)
        ynorm = ypred - torch.log(sum(torch.exp(ypred), 2))  # Python's sum, from 2: ADBench's definition
        ygold = sequence[t + 1]
        total += torch.sum(ygold * ynorm)
        count += ygold.shape[0]
        x = ygold
    return -total / count


def ba(cams, X, w, feats):
    p = w.shape[0]
    cam = cams[torch.arange(p) % cams.shape[0]]
    pts = X[torch.arange(p) % X.shape[0]]
    rot = cam[:, 0:3]
    Xc = pts - cam[:, 3:6]
    sqtheta = torch.sum(rot ** 2, 1, keepdim=True)
    theta = torch.sqrt(sqtheta)
    costheta = torch.cos(theta)
    sintheta = torch.sin(theta)
    wr = rot / theta
    tmp = torch.sum(wr * Xc, 1, keepdim=True) * (1 - costheta)
    rotated = Xc * costheta + torch.cross(wr, Xc, dim=1) * sintheta + wr * tmp
    Xcam = torch.where(sqtheta != 0, rotated, Xc + torch.cross(rot, Xc, dim=1))
    proj = Xcam[:, 0:2] / Xcam[:, 2:3]
    rsq = torch.sum(proj ** 2, 1, keepdim=True)
    L = 1 + cam[:, 9:10] * rsq + cam[:, 10:11] * rsq * rsq
    projected = proj * L * cam[:, 6:7] + cam[:, 7:9]
    reproj_err = w[:, None] * (projected - feats)
    w_err = 1 - w ** 2
    return torch.sum(reproj_err ** 2) + torch.sum(w_err ** 2)


CASES = {
    "elementwise": (lambda x: (torch.sin(x) * torch.exp(-x * x) + torch.tanh(x)).sum(), [[1000000]], [0]),
    "mlp": (mlp, [[784, 128], [128], [128, 10], [10], [64, 784], [64, 10]], [0, 1, 2, 3]),
    "rosenbrock100": (rosen, [[100]], [0]),
    "matmul": (lambda a, b: (a @ b).sum(), [[512, 512], [512, 512]], [0]),
    "rosenbrock1e6": (rosen, [[1000000]], [0]),
    "attention": (lambda q, k, v: ((torch.softmax(q @ k.T / 8, dim=1) @ v) ** 2).sum(), [[128, 64]] * 3, [0, 1, 2]),
    "lenet_conv1": (lambda w, b, x: (F.conv2d(x, w, b) ** 2).sum(), [[6, 1, 5, 5], [6], [16, 1, 28, 28]], [0, 1]),
    "lenet_conv2": (lambda x, w, b: (F.conv2d(x, w, b) ** 2).sum(), [[16, 6, 12, 12], [16, 6, 5, 5], [16]], [0, 1, 2]),
    "gmm": (gmm, [[25], [25, 10], [25, 55], [1000, 10]], [0, 1, 2]),
    "lstm": (lstm_objective, [[4, 56], [3, 14], [4, 14], [21, 14]], [0, 1]),
    "ba": (ba, [[21, 11], [300, 3], [1200], [1200, 2]], [0, 1, 2]),
}


def median_ms(run):
    """The wall-clock median of one run once it has settled, and the CPU median over the same runs."""
    end = time.perf_counter() + 0.5
    warm = 0
    while time.perf_counter() < end or warm < 5:
        run()
        warm += 1
    samples, cpu, previous, deadline = [], [], None, time.perf_counter() + 20
    while True:
        round_end, runs = time.perf_counter() + 0.2, 0
        while runs < 5 or time.perf_counter() < round_end:
            c0, t0 = time.thread_time(), time.perf_counter()
            run()
            samples.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            runs += 1
        m = statistics.median(samples)
        if previous is not None and abs(m - previous) <= 0.02 * m or time.perf_counter() > deadline:
            return m, statistics.median(cpu)
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
        (fw, fc), (gw, gc) = median_ms(function), median_ms(gradient)
        print(json.dumps({"case": name, "function_ms": fw, "gradient_ms": gw, "peak_bytes": peak,
                          "function_cpu_ms": fc, "gradient_cpu_ms": gc}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(CASES))
