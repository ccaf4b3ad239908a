# Writes the graph of examples/gcn.tx: 40 nodes in two communities of 20 (a stochastic block model:
# an edge inside a community with probability 0.25, between them 0.08), 8 noisy features per node
# that lean towards its community, the community as its label, and a training mask of 4 nodes per
# community. Run from examples/: python3 data/make_graph.py (numpy only; fixed seed, so the files
# are the same each time).
import numpy as np

rng = np.random.default_rng(20261207)
n, half, features = 40, 20, 8
labels = np.repeat([0, 1], half)
same = labels[:, None] == labels[None, :]
upper = np.triu(rng.random((n, n)) < np.where(same, 0.25, 0.08), 1)
adjacency = (upper | upper.T).astype(np.float64)
centres = np.where(labels[:, None] == 0, 0.5, -0.5) * np.tile([1.0, -1.0], features // 2)
feats = centres + rng.normal(0.0, 1.5, (n, features))
train = np.zeros(n)
train[[0, 3, 7, 12, 20, 25, 31, 36]] = 1.0

np.save("data/graph_adjacency.npy", adjacency)
np.save("data/graph_features.npy", feats)
np.save("data/graph_labels.npy", labels.astype(np.int64))
np.save("data/graph_train.npy", train)
