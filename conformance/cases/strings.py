# PyTorch twin of strings.tx
import torch; torch.set_default_dtype(torch.float64)

name = "loss"
x = 3.5
print(f"{name}: {x:.2f}")
print(f"{name!r} {name:>8}|{name:*^10}|{name!r:<9}|")
names = ["a", "bb", "it's", 'say "hi"']
print(names)
for n in names:
    print(f"[{n}]", n == "bb")
sep = "-" * 10
print(sep)
print(name == "loss", name + "_total", name != "loss", "abc" < "abd")
w = torch.tensor([1.0, 2.0], requires_grad=True)
for epoch in range(3):
    loss = (w ** 2).sum() * (epoch + 1)
    msg = f"epoch {epoch}: {loss.item():.3f}"
    print(msg)
print(msg)
print(f"last: {msg}")
label = "big" if x > 3 else "small"
print(label, len(names))

