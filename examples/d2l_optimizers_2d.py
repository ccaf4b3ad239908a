# PyTorch twin of d2l_optimizers_2d.tx: the two-dimensional experiments of Dive into Deep Learning's
# optimization chapter (d2l.ai, chapter 12, PyTorch version): d2l's train_2d, and the trainers of
# "Gradient Descent" (gd_2d, 12.3), "Stochastic Gradient Descent" (sgd with its three learning-rate
# schedules, 12.4), "Momentum" (momentum_2d, 12.6), "Adagrad" (adagrad_2d, 12.7) and "RMSProp"
# (rmsprop_2d, 12.8), each run on the section's objective and learning rates. As written there
# except: show_trace_2d prints the trace's ends and f there (d2l plots it over the contours of f),
# and 12.4's noise, torch.normal(0.0, 1, (1,)).item() in d2l, is the next draw of
# data/sgd_noise.npy (from data/make_sgd_noise.py), counted in the global `draws`.
import math
import numpy as np
import torch; torch.set_default_dtype(torch.float64)


def train_2d(trainer, steps=20, f_grad=None):  #@save
    """Optimize a 2D objective function with a customized trainer."""
    # `s1` and `s2` are internal state variables that will be used in Momentum, adagrad, RMSProp
    x1, x2, s1, s2 = -5, -2, 0, 0
    results = [(x1, x2)]
    for i in range(steps):
        if f_grad:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    print(f'epoch {i + 1}, x1: {float(x1):f}, x2: {float(x2):f}')
    return results


def show_trace_2d(f, results):  #@save
    """Show the trace of 2D variables during optimization."""
    # d2l plots the trace over the contours of f; here its ends and f at the last point are printed
    x1, x2 = results[-1]
    print(f'{len(results)} points from {results[0]} to ({x1:.6f}, {x2:.6f}), f = {f(x1, x2):.6f}')


# ---- 12.3 Gradient Descent
def f_2d(x1, x2):  # Objective function
    return x1 ** 2 + 2 * x2 ** 2


def f_2d_grad(x1, x2):  # Gradient of the objective function
    return (2 * x1, 4 * x2)


def gd_2d(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - eta * g1, x2 - eta * g2, 0, 0)


eta = 0.1
show_trace_2d(f_2d, train_2d(gd_2d, f_grad=f_2d_grad))

# ---- 12.4 Stochastic Gradient Descent
def f(x1, x2):  # Objective function
    return x1 ** 2 + 2 * x2 ** 2


def f_grad(x1, x2):  # Gradient of the objective function
    return 2 * x1, 4 * x2


def normal():
    """d2l's torch.normal(0.0, 1, (1,)).item(): the next draw of data/sgd_noise.npy."""
    global draws
    draws += 1
    return noise[draws - 1].item()


def sgd(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    # Simulate noisy gradient
    g1 += normal()
    g2 += normal()
    eta_t = eta * lr()
    return (x1 - eta_t * g1, x2 - eta_t * g2, 0, 0)


def constant_lr():
    return 1


noise, draws = torch.from_numpy(np.load("data/sgd_noise.npy")), 0
eta = 0.1
lr = constant_lr  # Constant learning rate
show_trace_2d(f, train_2d(sgd, steps=50, f_grad=f_grad))


def exponential_lr():
    # Global variable that is defined outside this function and updated inside
    global t
    t += 1
    return math.exp(-0.1 * t)


t = 1
lr = exponential_lr
show_trace_2d(f, train_2d(sgd, steps=1000, f_grad=f_grad))


def polynomial_lr():
    # Global variable that is defined outside this function and updated inside
    global t
    t += 1
    return (1 + 0.1 * t) ** (-0.5)


t = 1
lr = polynomial_lr
show_trace_2d(f, train_2d(sgd, steps=50, f_grad=f_grad))

# ---- 12.6 Momentum
eta = 0.4


def f_2d(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


def gd_2d(x1, x2, s1, s2):
    return (x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0)


show_trace_2d(f_2d, train_2d(gd_2d))


def momentum_2d(x1, x2, v1, v2):
    v1 = beta * v1 + 0.2 * x1
    v2 = beta * v2 + 4 * x2
    return x1 - eta * v1, x2 - eta * v2, v1, v2


eta, beta = 0.6, 0.5
show_trace_2d(f_2d, train_2d(momentum_2d))
eta, beta = 0.6, 0.25
show_trace_2d(f_2d, train_2d(momentum_2d))

# ---- 12.7 Adagrad
def adagrad_2d(x1, x2, s1, s2):
    eps = 1e-6
    g1, g2 = 0.2 * x1, 4 * x2
    s1 += g1 ** 2
    s2 += g2 ** 2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


def f_2d(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


eta = 0.4
show_trace_2d(f_2d, train_2d(adagrad_2d))
eta = 2
show_trace_2d(f_2d, train_2d(adagrad_2d))

# ---- 12.8 RMSProp
def rmsprop_2d(x1, x2, s1, s2):
    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
    s1 = gamma * s1 + (1 - gamma) * g1 ** 2
    s2 = gamma * s2 + (1 - gamma) * g2 ** 2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


def f_2d(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


eta, gamma = 0.4, 0.9
show_trace_2d(f_2d, train_2d(rmsprop_2d))
