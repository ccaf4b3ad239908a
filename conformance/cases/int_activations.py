# PyTorch twin of int_activations.tx: relu, relu6 and hardtanh keep an int64 tensor's dtype (hardtanh
# truncates its bounds toward zero for it), and a float tensor beside it is unchanged
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F

k = torch.tensor([[1, -2, 7], [0, 9, -9]])
print(torch.relu(k))
print(F.relu(k).dtype)
print(F.relu6(k))
print(F.hardtanh(k))
print(F.hardtanh(k, -1.5, 2.7))
print(F.hardtanh(k, min_val=-3, max_val=8))
print(k.relu() + 1)
print(torch.relu(k) * 0.5)
x = torch.tensor([-1.0, 0.5, 7.0], requires_grad=True)
y = F.relu6(x) + torch.relu(x)
print(y)
y.sum().backward()
print(x.grad)
