# PyTorch twin of fstrings.tx
import math
import torch; torch.set_default_dtype(torch.float64)
inf, nan = math.inf, math.nan
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
loss = (x * x).sum() / 3
for epoch in range(3):
    print(f"epoch {epoch}: loss {loss.item():.4f} step {epoch + 1:>3}/{3} half {epoch / 2}")
print(f"{loss} | {loss:.3f} | {loss:e} | {loss!r} | {loss!s}")
print(f"x = {x}, w = {w}")
print(f"{w!s:>30}|")
loss.backward()
print(f"grad {x.grad} of {x}")
print(f"{0.125:.2f} {0.375:.2f} {2.675:.2f} {2.5:.0f} {3.5:.0f} {1e16:g} {1e16} {-0.0:.1f} {-0.0} {-0.0:g}")
print(f"{inf} {-inf:.3f} {nan:e} {inf:E} {nan:+} {1e-05} {0.0001:g} {1234567.0:g} {123456.0:g}")
a = torch.tensor([0.125, 2.675, -0.0, 1e16, 0.375])
print(f"{a[0].item():.2f} {a[1].item():.2f} {a[2].item():.1f} {a[3].item():g} {a[4]:.2f} {a[2]}")
print(f"{torch.log(torch.tensor(0.0)).item():.3f} {torch.sqrt(torch.tensor(-1.0)).item():.2f} {torch.exp(torch.tensor(1000.0)).item():e} {torch.log(torch.tensor(0.0))}")
print(f"{3} {7 // 2} {-7 // 2} {2 ** 10} {7 % 3} {1234567:,} {42:08d} {5:.2f} {-5:+d} {1234:_d} {1234:08,d}")
print(f"{True} {2 < 3} {x.requires_grad} {x.is_leaf} {1 < 2 < 3} {True:>5} {False:d} {3 > 4:^7}|")
print(f"[{loss.item():*^12.3f}] [{epoch:<4}] [{-1.5:=+8.2f}] [{0.5:%}] [{0.125:.1%}] [{1234567.891:,.2f}] [{1234.5:012,.1f}]")
print(f"[{1.0:.3}] [{100.0:.3}] [{3.5:.0}] [{12.0:#g}] [{12.0:#.0f}] [{0.1 + 0.2}] [{0.1 + 0.2:.17g}] [{1/3:.10}]")
print(f"[{x[0].item():>8}] [{x[1].item():<8}] [{x[2].item():^8}] [{-x[0].item():08.2f}] [{x[0].item():+.1e}]")
print(f"braces {{ and }} {{{epoch}}} tab\tquote \" backslash \\")
print(f"{epoch=} {loss.item()=:.3f} {epoch + 1 = }")
print(f"")
print(f"just text")
print("mixed:", f"{epoch}", 2 < 3, f"{x.requires_grad}")
