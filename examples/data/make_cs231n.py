# Writes the data of examples/cs231n_barebones.tx: 64 training and 32 validation "images" of
# 3 x 4 x 4 pixels in 3 classes (a class is a colour channel brighter in one half of the image,
# plus noise), and the standard normal draws that random_weight scales for the two layers
# (48 x 20 and 20 x 3). Run from examples/: python3 data/make_cs231n.py (numpy only; fixed seed,
# so the files are the same each time).
import numpy as np

rng = np.random.default_rng(231)


def images(n):
    y = rng.integers(0, 3, n)
    x = rng.normal(0.0, 1.0, (n, 3, 4, 4))
    for i in range(n):
        x[i, y[i], :2, :] += 1.5
    return x, y.astype(np.int64)


x_train, y_train = images(64)
x_val, y_val = images(32)
np.save("data/cs231n_x_train.npy", x_train)
np.save("data/cs231n_y_train.npy", y_train)
np.save("data/cs231n_x_val.npy", x_val)
np.save("data/cs231n_y_val.npy", y_val)
