# Writes the noise of 12.4's sgd in examples/d2l_optimizers_2d.tx: d2l draws each gradient's noise
# with torch.normal(0.0, 1, (1,)).item(), two a step, over runs of 50, 1000 and 50 steps; here the
# 2,200 draws are N(0, 1) from NumPy, read in order by the example and its twin. Run from examples/:
# python3 data/make_sgd_noise.py (numpy only; fixed seed, so the file is the same each time).
import numpy as np

rng = np.random.default_rng(20261207)
np.save("data/sgd_noise.npy", rng.normal(0, 1, 2 * (50 + 1000 + 50)))
