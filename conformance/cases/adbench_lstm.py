# PyTorch twin of adbench_lstm.tx
# ADBench's LSTM objective (bench/cases/lstm.tx): its value and its gradients with respect to the
# main and extra parameters, against PyTorch's.
# The function is bench/torch_twins.py's, the twin of bench/cases/lstm.tx; the tx case
# holds that file's function verbatim (BenchCasesTest checks it).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_twins import lstm_objective  # sets float64, one thread
import torch
from torch import arange, sin, cos, tensor

main_params = (0.5 * sin(arange(224) * 0.37)).reshape(4, 56).requires_grad_()
extra_params = cos(arange(42) * 0.21).reshape(3, 14).requires_grad_()
state = (0.3 * sin(arange(56) * 1.0)).reshape(4, 14)
sequence = (0.8 * cos(arange(294) * 0.17 + 0.2)).reshape(21, 14)
loss = lstm_objective(main_params, extra_params, state, sequence)
print(f"{loss.item():.10e}")
loss.backward()
print(main_params.grad)
print(extra_params.grad)
