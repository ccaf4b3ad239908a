# Writes the data of examples/d2l_weight_decay.tx: d2l's synthetic_data(true_w, true_b, n) for a
# training set of 20 and a test set of 40 examples in 50 dimensions (y = Xw + b + N(0, 0.01^2),
# w all 0.01, b = 0.05), and the initial weights init_params draws from N(0, 1). Run from examples/:
# python3 data/make_weight_decay.py (numpy only; fixed seed, so the files are the same each time).
import numpy as np

rng = np.random.default_rng(20261207)
n_train, n_test, num_inputs = 20, 40, 50
true_w, true_b = np.ones((num_inputs, 1)) * 0.01, 0.05


def synthetic_data(num_examples):
    X = rng.normal(0, 1, (num_examples, num_inputs))
    y = X @ true_w + true_b + rng.normal(0, 0.01, (num_examples, 1))
    return X, y


train_X, train_y = synthetic_data(n_train)
test_X, test_y = synthetic_data(n_test)
np.save("data/wd_train_X.npy", train_X)
np.save("data/wd_train_y.npy", train_y)
np.save("data/wd_test_X.npy", test_X)
np.save("data/wd_test_y.npy", test_y)
np.save("data/wd_init_w.npy", rng.normal(0, 1, (num_inputs, 1)))
