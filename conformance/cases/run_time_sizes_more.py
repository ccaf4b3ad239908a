# PyTorch twin of run_time_sizes_more.tx
import torch; torch.set_default_dtype(torch.float64)
from torch import tensor, where, maximum, minimum, atan2, hypot, lerp, sigmoid, isclose, logical_and, logical_xor, masked_fill, log_softmax, softmax
from torch.nn.functional import mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits, kl_div, cosine_similarity
x = tensor([3.0, -1.0, 5.0, -2.0, 4.0, 0.5], requires_grad=True)
y = tensor([1.0, 2.0, -3.0, 4.0, 0.5, -0.5])
a = x[x > 0.75]
b = y[y > 0.75]
print(mse_loss(a, b), l1_loss(a, b), smooth_l1_loss(a, b), huber_loss(a, b, reduction="sum", delta=0.5))
print(mse_loss(a, b, reduction="none"), l1_loss(a, b, reduction="sum"), smooth_l1_loss(a, b, beta=2.0, reduction="none"))
print(maximum(a, b), minimum(a, b), atan2(a, b), hypot(a, b), lerp(a, b, 0.25), lerp(a, b, b / 10))
print(binary_cross_entropy(sigmoid(a), sigmoid(b)), binary_cross_entropy_with_logits(a, sigmoid(b), reduction="sum"))
print(isclose(a, b - 2.0), logical_and(a > 3.5, b > 3.5), logical_xor(a > 3.5, b > 3.5), masked_fill(a, b > 3.5, 0.0))
print(kl_div(log_softmax(a, dim=0), softmax(b, dim=0), reduction="batchmean"), cosine_similarity(a, b, dim=0))
s = mse_loss(a, b) + l1_loss(a, b, reduction="sum") + smooth_l1_loss(a, b) + huber_loss(a, b, delta=0.5)
s = s + (maximum(a, b) * minimum(a, b)).sum() + atan2(a, b).sum() + hypot(a, b).sum() + lerp(a, b, 0.75).sum()
s = s + binary_cross_entropy(sigmoid(a), sigmoid(b)) + binary_cross_entropy_with_logits(a, sigmoid(b)) + masked_fill(a, b > 3.5, 0.0).sum()
s = s + kl_div(log_softmax(a, dim=0), softmax(b, dim=0), reduction="sum") + cosine_similarity(a, b, dim=0)
s.backward()
print(s, x.grad)
X = tensor([[3.0, -1.0], [5.0, 2.0], [-2.0, 4.0], [1.0, 1.0]], requires_grad=True)
Y = tensor([[1.0, 2.0], [-3.0, 4.0], [5.0, 0.5], [2.0, -1.0]])
P = X[X[:, 0] > 0]
Q = Y[Y[:, 1] > 0]
print(mse_loss(P, Q, reduction="none"), maximum(P, Q), lerp(P, Q, tensor([0.25, 0.5])))
s = mse_loss(P, Q) + hypot(P, Q).sum()
s.backward()
print(X.grad)
# running products of a selection (zeros included) and their gradients, in a loop and a function
from torch import arange, cumprod, argsort
from functorch import grad
x = tensor([3.0, 0.0, 5.0, -2.0, 0.5, 0.0, 2.0], requires_grad=True)
p = x[x >= 0]
print(p.cumprod(0), cumprod(x[x > 10], dim=0), x[x > 0].cumprod(dim=-1))
s = (p.cumprod(0) * arange(6.0)).sum() + x[x > 0].cumprod(0).sum()
s.backward()
print(x.grad)
x.grad = None
total = 0.0
for i in range(3):
    r = x[x > i - 1]
    total = total + (r.cumprod(0) * r).sum()
total.backward()
print(total, x.grad)
def f(v):
    return (v[v > 1].cumprod(0) ** 2).sum()
print(grad(f)(x.detach()))
X = tensor([[3.0, -1.0], [5.0, 2.0], [-2.0, 4.0], [1.0, 1.0]], requires_grad=True)
P = X[X[:, 0] > 0]
print(P.cumprod(0), P.cumprod(1))
# tolist: lists of a length known when the program runs
k = (x > 1).sum().item()
print(p.tolist(), x[x > 10].tolist(), len(p.tolist()), sum(p.tolist()), p.tolist()[-1], X[:, X[0] > 0].tolist(), x[k:].tolist())
for v in x[x > 1].tolist():
    print(v)
# reshapes to sizes all given, the count checked when the program runs
print(P.reshape(2, 3), P.view(3, 2, 1).shape, P.reshape(6), p.view(2, 1, 3), x[k:].reshape(2, 2))
s = (P.reshape(2, 3) * arange(6.0).reshape(2, 3)).sum() + (P.view(3, 2, 1) ** 2).sum()
s.backward()
print(X.grad)
# `...` and int64 index tensors into a selection (positions checked when the program runs)
X.grad = None
P = X[X[:, 0] > 0]
q = x[x > 0]
i = tensor([2, -1, 0, 2])
print(P[..., 0], P[1, ...], P[...], P[..., 1:], q[...], q[..., -1])
print(P[tensor([2, -1, 0])], P[:, tensor([1, 0, 1])], P[tensor([[0], [2]]), 1], q[i], q[i.view(2, 2)], q[tensor(1)], P[tensor(0)], q[argsort(q)])
s = P[tensor([2, -1, 0, 0])].sum() + (P[:, tensor([1, 1])] ** 2).sum() + P[..., 1].sum() + P[tensor([[1], [2]]), 0].sum()
s.backward()
print(X.grad)
def g(v):
    r = v[v > 0]
    return (r[tensor([0, -1, 0])] ** 3).sum() + r[..., 1] * 2
print(grad(g)(x.detach()))
# grad, value_and_grad and vjp of a function given a selection (its named size a Python int known when it runs)
from functorch import grad_and_value, vjp
xd = x.detach()
def cube(v):
    return (v ** 3).sum() + v.max() * v.shape[0]
def inner(v, w):
    return (v * w).sum() + mse_loss(v, w)
def twice(v):
    return grad(cube)(v).sum()
p = xd[xd > 0]
print(grad(cube)(p), grad(cube)(xd[xd > 2.5]), grad(cube)(xd[xd > 4.5]))
g, v = grad_and_value(cube)(p)
print((v, g), grad(inner, argnums=(0, 1))(p, p * 2), vjp(cube, p)[1](tensor(2.0))[0])
print(grad(twice)(xd[xd > 4]), grad(twice)(p))
# expand keeping a size known only at run time (-1), and selections made inside a function under jvp, hessian and vmap
from torch import broadcast_to, stack
from functorch import jvp, hessian
x = tensor([3.0, 0.5, 5.0, -2.0, 4.0], requires_grad=True)
p = x[x > 0]
P = X[X[:, 0] > 0]
print(p.expand(2, -1), p.unsqueeze(1).expand(-1, 3), broadcast_to(p, (2, -1)), P[:, :1].expand(-1, 2), P.expand(1, -1, -1).shape)
X.grad = None
s = (p.expand(3, -1) * arange(3.0).reshape(3, 1)).sum() + (P[:, 1:].expand(-1, 4) ** 2).sum()
s.backward()
print(x.grad, X.grad)
xd = x.detach()
def inside(v):
    r = v[v > 0]
    return r[argsort(r)][-1] * 2 + (r.cumprod(0) ** 2).sum() + r[..., 0] * r.reshape(-1)[tensor([1])].sum() + mse_loss(r, r.flip(0))
print(inside(xd), grad(inside)(xd))
print(jvp(inside, (xd,), (tensor([1.0, 0.5, -1.0, 2.0, 0.25]),)))
print(hessian(inside)(xd))
print(stack([inside(v) for v in [xd, xd * 0.5, xd + 1.0]]))  # tx: vmap(inside), a loop over the examples
