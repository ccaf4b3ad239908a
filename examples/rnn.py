# PyTorch twin of rnn.tx
import os
import numpy as np
import torch; torch.set_default_dtype(torch.float64)
here = os.path.dirname(os.path.abspath(__file__))
xs = torch.from_numpy(np.load(os.path.join(here, "data", "seq.npy")))
target = torch.from_numpy(np.load(os.path.join(here, "data", "seq_target.npy")))
W = torch.tensor([[0.1, -0.2, 0.0, 0.3], [0.2, 0.1, -0.1, 0.0], [0.0, 0.3, 0.2, -0.1], [-0.3, 0.0, 0.1, 0.2]], requires_grad=True)
U = torch.tensor([[0.5, -0.1, 0.2], [0.0, 0.4, -0.3], [0.3, 0.1, 0.1], [-0.2, 0.2, 0.5]], requires_grad=True)
V = torch.tensor([[0.3, -0.4, 0.2, 0.1], [-0.1, 0.2, 0.5, -0.3]], requires_grad=True)
for epoch in range(5):
    h = torch.zeros(4)
    for t in range(8):
        h = torch.tanh(W @ h + U @ xs[t])
    loss = torch.nn.functional.mse_loss(V @ h, target)
    loss.backward()
    with torch.no_grad():
        W -= 0.5 * W.grad
        U -= 0.5 * U.grad
        V -= 0.5 * V.grad
    W.grad = None; U.grad = None; V.grad = None
    print(loss)
print(V @ h)
