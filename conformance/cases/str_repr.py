# PyTorch twin of str_repr.tx
import torch
torch.set_default_dtype(torch.float64)
print(str(0.1), str(1e20), str(1e16), str(1e15), str(1e-5), str(0.0001), str(3), str(-0.0), str(2.0), str(2 ** 0.5))
print(str(1 / 3) + '!', str(True), str(None), str('a'), repr('a'), repr("it's"), repr('say "hi"'), repr('a\nb'))
print(str([1, 'b', 2.5, None, True]), repr((1,)), str(()), str({'a': [1, 2], 'b': 'c'}), str(range(3)), repr([[], ['x']]))
print(int('42'), int(' -7 '), int('+1_000'), int('007'), float('1e3'), float(' -2.5 '), str(float('inf')), str(float('-inf')), str(float('nan')))
print(abs(-3), abs(-2.5), abs(True), abs(-0.0), abs(3) + 1, str(), len(str(12345)))
steps = [str(n) for n in [1, 10, 100]]
print('-'.join(steps), str(7) * 3, str(1.5).split('.'), int(str(12) + '3') + 1)
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
print(str(x), repr(y), str([x.detach(), 2]))
y.backward()
print(str(x.grad), str(y.item()), repr(x.grad[0].item()))
k = x.detach().argmax().item()
v = -y.item()
print(abs(v), abs(-k - 2), str(abs(v)), abs(v) + 1, f"{abs(v):.2f}")
