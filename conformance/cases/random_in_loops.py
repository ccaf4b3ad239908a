# PyTorch twin of random_in_loops.tx
import torch, math
import torch.nn.functional as F
from torch import tensor
torch.set_default_dtype(torch.float64)
# random draws in loops: tx's generator is not PyTorch's, so only facts that hold for any generator
# are printed: each iteration draws new numbers, manual_seed in the body repeats them, manual_seed
# before two equal loops repeats the sequence, and a backward uses each iteration's own mask
torch.manual_seed(0)
draws = []
for i in range(3):
    draws.append(torch.rand(50))
print(torch.equal(draws[0], draws[1]), torch.equal(draws[1], draws[2]), torch.equal(draws[0], draws[2]))
same = []
for i in range(3):
    torch.manual_seed(7)
    same.append(torch.randn(50))
print(torch.equal(same[0], same[1]), torch.equal(same[0], same[2]))
torch.manual_seed(7)
print(torch.equal(torch.randn(50), same[0]))
torch.manual_seed(3)
first = []
for i in range(2):
    first.append(torch.randint(0, 1000000, (20,)))
torch.manual_seed(3)
again = []
for i in range(2):
    again.append(torch.randint(0, 1000000, (20,)))
print(torch.equal(first[0], again[0]), torch.equal(first[1], again[1]), torch.equal(first[0], first[1]))
x = torch.ones(200, requires_grad=True)
masks = []
total = torch.tensor(0.0)
for epoch in range(4):
    y = torch.nn.functional.dropout(x, p=0.5)
    masks.append(y.detach())
    total = total + y.sum()
total.backward()
print(torch.equal(x.grad, masks[0] + masks[1] + masks[2] + masks[3]), torch.equal(masks[0], masks[1]))
