# PyTorch twin of cnn.tx
import numpy as np
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

images = torch.from_numpy(np.load("data/bars_images.npy")).double()   # tx reads every dtype as float64
labels = torch.from_numpy(np.load("data/bars_labels.npy"))             # class indices (int64)

w1 = ((torch.arange(36) * 7 % 11 - 5) / 15).reshape(4, 1, 3, 3)
w1.requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
w2 = ((torch.arange(288) * 5 % 13 - 6) / 40).reshape(8, 4, 3, 3)
w2.requires_grad_()
b2 = torch.zeros(8, requires_grad=True)
w3 = ((torch.arange(96) * 3 % 7 - 3) / 10).reshape(3, 32)
w3.requires_grad_()
b3 = torch.zeros(3, requires_grad=True)


def forward(x, w1, b1, w2, b2, w3, b3):
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
    return F.linear(torch.flatten(h, 1), w3, b3)


lr = 0.2
for step in range(40):
    loss = F.cross_entropy(forward(images, w1, b1, w2, b2, w3, b3), labels)
    loss.backward()
    with torch.no_grad():
        for p in (w1, b1, w2, b2, w3, b3):
            p -= lr * p.grad
    for p in (w1, b1, w2, b2, w3, b3):
        p.grad = None  # tx: zero_grad(w1, b1, w2, b2, w3, b3)
    if step % 5 == 0:
        print("step", step, "loss", loss)
with torch.no_grad():
    probs = F.softmax(forward(images, w1, b1, w2, b2, w3, b3), dim=1)
print("final loss", F.cross_entropy(forward(images, w1, b1, w2, b2, w3, b3), labels))
print(probs[:6])
