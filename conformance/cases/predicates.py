# PyTorch twin of predicates.tx
import torch, math, builtins; torch.set_default_dtype(torch.float64)
from torch import tensor, where, isnan, isinf, isfinite, isposinf, isneginf, any, all, allclose, isclose, equal, ones, zeros, inf, nan, pi, e

print(inf, -inf, nan, pi, e, math.inf, math.pi, math.e, math.nan, -math.inf, torch.pi, torch.inf, torch.nan, torch.e)
print(float("inf"), float("-inf"), float("nan"), float("-Infinity"), float("+nan"), float(" 1e-3 "), float("2_5.5"), float(3), float(True), float(-2.5))
print(inf > 1e308, -inf < -1e308, nan == nan, nan != nan, inf - inf, inf * 0, pi * 2, -inf + 1, float("inf") == inf)

x = tensor([1.0, -inf, nan, inf, 0.0, -0.0])
print(isnan(x), isinf(x), isfinite(x))
print(isposinf(x), isneginf(x), x.isnan(), torch.isfinite(x).sum(), where(isfinite(x), x, 0.0))
i = tensor([0, 3, -2])
t = tensor([True, False])
print(isnan(i), isinf(t), isfinite(i), isposinf(i), isneginf(t))
print(tensor([inf, 1.0]) == inf, tensor([1.0, -1.0]) * inf, tensor([nan, 2.0]) > 0, x * 0)

m = tensor([[0.0, 1.0, nan], [0.0, 0.0, -0.0]])
print(any(m), all(m), any(m, dim=0), all(m, dim=1), m.any(), m.all(dim=-1))
print(any(m, dim=1, keepdim=True), all(m, 0, True), torch.any(m > 0, 1))
print(any(i), all(i), any(t), all(t), all(tensor([True, True])), any(zeros(0)), all(zeros(0)), any(tensor(0.0)), all(tensor(2), dim=0))

a = tensor([1.0, 2.0, inf, nan])
print(allclose(a, a), allclose(a, a, equal_nan=True), allclose(a[:3], a[:3]), allclose(tensor([inf]), tensor([-inf])))
print(allclose(tensor([1.0, 2.0]), tensor([1.0 + 1e-9, 2.0])), allclose(tensor([1.0, 2.0]), tensor([1.001, 2.0])), allclose(tensor([1.0, 2.0]), tensor([1.001, 2.0]), rtol=1e-2))
print(allclose(tensor([0.0]), tensor([1e-9])), allclose(tensor([0.0]), tensor([1e-9]), atol=0.0), allclose(ones(2, 1), ones(3)), allclose(tensor([100, 200]), tensor([101, 200]), rtol=0.01, atol=0))
print(isclose(a, tensor([1.0, 2.00001, inf, nan])), isclose(a, a, equal_nan=True), isclose(tensor([1, 2]), tensor([1, 3])))
print(equal(a[:2], tensor([1.0, 2.0])), equal(a, a), equal(ones(2), ones(3)), equal(tensor([1, 2]), tensor([1.0, 2.0])), equal(ones(1), ones(2)), equal(t, t))

w = tensor([0.5, -1.0], requires_grad=True)
y = w * 2
if allclose(y, tensor([1.0, -2.0])) and not any(isnan(y)):
    print("close", allclose(y, y * 1.0000001), equal(y, y + 0.0))
print(isnan(y), any(y > 0), all(y), isnan(y).requires_grad, any(y).requires_grad, allclose(y, w))
print(f"{allclose(w, w)} {equal(w, -w)} {any(w < 0)}")
print(builtins.any([True, False]), builtins.all([1, 2]), builtins.all([]), builtins.any((0, w[0] > 0)), builtins.all([y[1] > 0, True]), builtins.any([y.sum() < -1, 0.0]))
torch.sum(y * y).backward()
print(w.grad, all(isfinite(w.grad)))
