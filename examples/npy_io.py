# PyTorch twin of npy_io.tx
import numpy as np
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

X = torch.from_numpy(np.load("data/xs.npy")).double()   # tx converts every dtype to float64
y = torch.from_numpy(np.load("data/ys.npy")).double()
print(X.shape, y.shape, y.requires_grad)
print(y)

w = torch.zeros(2, requires_grad=True)
for step in range(100):
    loss = F.mse_loss(X @ w, y)
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
    w.grad = None  # tx: zero_grad(w)
print("loss", loss)
print("w", w)
np.save("data/fitted_w.npy", w.detach().numpy())
