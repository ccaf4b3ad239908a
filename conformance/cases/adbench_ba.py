# PyTorch twin of adbench_ba.tx
# ADBench's bundle-adjustment objective (bench/cases/ba.tx): its value and its gradients with respect
# to the cameras, the points and the weights, against PyTorch's, around ADBench's own camera, point,
# weight and feature (data/ba/ba2_n21_m11315_p36455.txt), each varied.
# The function is bench/torch_twins.py's, the twin of bench/cases/ba.tx; the tx case
# holds that file's function verbatim (BenchCasesTest checks it).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_twins import ba  # sets float64, one thread
import torch
from torch import arange, sin, cos, tensor

cam0 = tensor([-0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514, 5.864426, -8.518870, 0.087812, 0.002739])
cams = (cam0 * (1 + 0.1 * sin(arange(231) * 0.9).reshape(21, 11))).requires_grad_()
X = (tensor([7.203245, 0.001144, 3.023326]) + sin(arange(900) * 0.7).reshape(300, 3)).requires_grad_()
w = (0.417022 + 0.1 * sin(arange(1200) * 0.3)).requires_grad_()
feats = tensor([271.760969, 834.209256]) + 10 * cos(arange(2400) * 0.19).reshape(1200, 2)
loss = ba(cams, X, w, feats)
print(f"{loss.item():.10e}")
loss.backward()
print(cams.grad[:3])
print(X.grad[:4])
print(w.grad[:8])
print(f"{cams.grad.abs().sum().item():.10e} {X.grad.abs().sum().item():.10e} {w.grad.abs().sum().item():.10e}")
