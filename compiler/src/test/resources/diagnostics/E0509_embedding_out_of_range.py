import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
from torch import tensor, gather, index_select, argmax, arange
embedding = F.embedding
w = tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], requires_grad=True)
ids = argmax(w, dim=0)
print(embedding(ids, w))
print(embedding(ids + 2, w))