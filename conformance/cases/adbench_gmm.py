# PyTorch twin of adbench_gmm.tx
# ADBench's GMM objective (bench/cases/gmm.tx): its value and its gradients with respect to the
# weights, the means and the inverse-covariance factors, against PyTorch's.
# The function is bench/torch_twins.py's, the twin of bench/cases/gmm.tx; the tx case
# holds that file's function verbatim (BenchCasesTest checks it).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_twins import gmm  # sets float64, one thread
import torch
from torch import arange, sin, cos, tensor

alphas = sin(arange(25) * 0.7).requires_grad_()
means = cos(arange(250) * 0.3).reshape(25, 10).requires_grad_()
icf = (0.5 * sin(arange(1375) * 0.11)).reshape(25, 55).requires_grad_()
x = (2 * sin(arange(10000) * 0.013 + 0.5)).reshape(1000, 10)
loss = gmm(alphas, means, icf, x)
print(f"{loss.item():.10e}")
loss.backward()
print(alphas.grad)
print(means.grad[:3])
print(icf.grad[:2])
print(f"{means.grad.abs().sum().item():.10e} {icf.grad.abs().sum().item():.10e}")
