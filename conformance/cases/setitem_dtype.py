# PyTorch twin of setitem_dtype.tx
import torch; torch.set_default_dtype(torch.float64)

k = torch.tensor([1, 2, 3, 4])
k[0] = 1.7
k[1:3] = torch.tensor([-2.9, 5.5])
print(k)
m = torch.tensor([True, False, False])
m[1] = 5
m[2] = 0.0
print(m)
j = torch.tensor([7, 8, 9])
j[torch.tensor([0, 2])] = 4.6
j[torch.tensor([True, False, False])] = torch.tensor(3.9)
print(j, j.requires_grad)
f = torch.zeros(3)
f[0] = 2
f[1:2] = torch.tensor([True])
print(f)
