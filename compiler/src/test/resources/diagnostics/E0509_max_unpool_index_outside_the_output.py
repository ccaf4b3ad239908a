import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
tensor, max_unpool2d = torch.tensor, F.max_unpool2d
v = tensor([[[[1.0, 2.0], [3.0, 4.0]]], [[[5.0, 6.0], [7.0, 8.0]]]])
i = (v * 2).long()
print(max_unpool2d(v, i, 2, output_size=[4, 5]))
j = (v * 3).long() - 4
print(max_unpool2d(v, j, 2))
