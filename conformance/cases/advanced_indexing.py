# PyTorch twin of advanced_indexing.tx
import torch; torch.set_default_dtype(torch.float64)

x = torch.arange(24.0).reshape(2, 3, 4)
i = torch.tensor([0, 1])
j = torch.tensor([2, -3])
print(x[i, j])
print(x[0, :, i])
print(x[i, :, j])
print(x[:, i, j])
print(x[i, 0, j])
print(x[i, None, j].shape, x[None, i, j].shape, x[..., i].shape, x[i, ..., j].shape)
print(x[:, i, None].shape, x[torch.tensor([[0], [1]]), :, torch.tensor([1, 2, 3])].shape)
print(x[range(2), [1, 2]])
print(x[:, [-1, 0], 1:3])
print(x[1, torch.tensor([[2, 0], [1, 1]])])

scores = torch.tensor([[0.1, 2.0, -1.0], [1.5, 0.2, 0.3], [-0.5, -0.2, 0.9], [0.0, 3.0, 1.0]], requires_grad=True)
y = torch.argmax(scores * torch.tensor([1.0, -1.0, 1.0]), dim=1)
print(y)
logp = torch.log_softmax(scores, dim=1)
picked = logp[range(4), y]
print(picked)
loss = -picked.mean()
loss.backward()
print(scores.grad)

w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
rows = torch.tensor([1, 0, 1, -1])
cols = torch.tensor([2, 2, 2, 0])
p = w[rows, cols]
print(p)
torch.sum(p * torch.tensor([1.0, 10.0, 100.0, 1000.0])).backward()
print(w.grad)

v = (torch.arange(60.0).reshape(3, 4, 5) / 10).requires_grad_()
q = v[torch.tensor([[2], [0]]), 1:3, torch.tensor([4, 4, -5])]
print(q.shape)
print(q)
torch.sum(q * q).backward()
print(v.grad[:, 1:3])

z = torch.zeros(5)
z[torch.tensor([1, 3, 1])] = torch.tensor([1.0, 2.0, 3.0])
print(z)
z[torch.tensor([0, 4, 0])] += torch.tensor([10.0, 20.0, 30.0])
print(z)
m = torch.zeros(3, 4)
m[[0, 2], [1, 3]] = torch.tensor([7.0, 8.0])
m[1, [0, -1]] = 5
m[:, [0, 0]] += torch.tensor([10.0, 20.0])
print(m)

n = torch.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
n[n < 0] = 0.0
print(n)
n[n > 2] += 100
print(n)
r = torch.zeros(3, 4)
r[torch.tensor([True, False, True])] = torch.tensor([1.0, 2.0, 3.0, 4.0])
print(r)

a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
b = torch.tensor([10.0, 20.0], requires_grad=True)
c = a * 2
c[torch.tensor([3, 0])] = b * b
print(c)
c[c > 30] = 0.0
print(c)
torch.sum(c * torch.tensor([1.0, 2.0, 3.0, 4.0])).backward()
print(a.grad, b.grad)

e = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
with torch.no_grad():
    e[torch.tensor([2, 0])] = torch.tensor([-1.0, -3.0])
    e[e < -2] *= 2
print(e)

k = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()
print(k[[True, False]])
print(k[:, torch.tensor([True, False, True]), 1:3])
print(k[torch.tensor([[True, False, True], [False, False, True]]), torch.tensor([0, 1, 3])])
k2 = k * 1
k2[:, torch.tensor([True, False, True])] = torch.tensor([[1.0], [2.0]])
print(k2)
k2[..., [0, 3]] = -1.0
print(k2[1])
torch.sum(k[:, [False, True, True], [0, 1]] * 2).backward()
print(k.grad)
