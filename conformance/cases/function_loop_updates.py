# PyTorch twin of function_loop_updates.tx: a function whose training loop updates a script-level
# tensor in place (directly, and through a function that takes it): the caller sees every update.
import torch; torch.set_default_dtype(torch.float64)
W = torch.tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=True)
def sgd(param, lr):
    with torch.no_grad():
        param -= lr * param.grad
        param.grad.zero_()
def train_epoch(features):
    for i in range(2):
        l = (features @ W).sum()
        l.backward()
        sgd(W, 0.1)
def sgd_all(params, lr):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()
def train_epoch2(features):
    for i in range(3):
        l = (features @ W).pow(2).mean()
        l.backward()
        sgd_all([W], 0.1)
train_epoch(torch.ones(4, 2))
print(W)
train_epoch2(torch.ones(4, 2) * 0.5)
print(W, W.grad)
