# PyTorch twin of loop_tuples.tx: a tuple assigned in a loop's body (d2l's train_metrics =
# train_epoch_ch3(...)) read after the loop, unpacked and compared; tensors, Python numbers and a
# tensor that requires grad.
import torch; torch.set_default_dtype(torch.float64)
x = torch.tensor([1.0, 2.0], requires_grad=True)
def metrics(x, k):
    return float(x.sum()) * k, (x * x).mean().item()
for epoch in range(3):
    r = (x.sum(), x * epoch)
    m = metrics(x, epoch)
print(r, m)
a, c = m
if not (a < 0.5):
    print("a", a, c)
r[0].backward()
print(x.grad)
