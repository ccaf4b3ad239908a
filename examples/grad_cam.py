# PyTorch twin of grad_cam.tx
import numpy as np
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

images = torch.from_numpy(np.load("data/bars_images.npy")).double()
labels = torch.from_numpy(np.load("data/bars_labels.npy"))

w1 = ((torch.arange(36) * 7 % 11 - 5) / 15).reshape(4, 1, 3, 3)
w1.requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
w2 = ((torch.arange(288) * 5 % 13 - 6) / 40).reshape(8, 4, 3, 3)
w2.requires_grad_()
b2 = torch.zeros(8, requires_grad=True)
w3 = ((torch.arange(96) * 3 % 7 - 3) / 10).reshape(3, 32)
w3.requires_grad_()
b3 = torch.zeros(3, requires_grad=True)


def features(x, w1, b1, w2, b2):
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    return F.relu(F.conv2d(h, w2, b2, padding=1))


def classify(a, w3, b3):
    return F.linear(torch.flatten(F.max_pool2d(a, 2), 1), w3, b3)


for step in range(30):
    loss = F.cross_entropy(classify(features(images, w1, b1, w2, b2), w3, b3), labels)
    loss.backward()
    with torch.no_grad():
        for p in [w1, b1, w2, b2, w3, b3]:
            p -= 0.2 * p.grad
    for p in [w1, b1, w2, b2, w3, b3]:
        p.grad = None
print("loss after training", loss)

x = images[:3]
A = features(x, w1, b1, w2, b2)
scores = classify(A, w3, b3)
picked = scores.argmax(dim=1)
print("classes", picked, "labels", labels[:3])
score = scores.gather(1, picked.unsqueeze(1)).sum()
dA = torch.autograd.grad(score, A, retain_graph=True)[0]
weights = dA.mean(dim=(2, 3), keepdim=True)
cam = F.relu((weights * A).sum(dim=1))
cam = cam / cam.amax(dim=(1, 2), keepdim=True).clamp(min=1e-12)
print(cam)

A.retain_grad()
score.backward()
print("same gradient:", torch.equal(A.grad, dA))
