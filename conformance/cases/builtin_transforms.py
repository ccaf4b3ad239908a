# PyTorch twin of builtin_transforms.tx (PyTorch 1.13 has the transforms in functorch, torch.func since 2.0)
import torch; torch.set_default_dtype(torch.float64)
from functorch import grad, vmap, jacrev

x = torch.tensor(0.5)
print(grad(torch.tanh)(x), grad(grad(torch.sin))(x))
act = torch.relu
print(vmap(grad(act))(torch.tensor([-1.0, 2.0])))
print(jacrev(torch.exp)(torch.tensor([0.0, 1.0])))
print(vmap(torch.sigmoid, in_dims=(0,))(torch.tensor([[0.0, 1.0], [2.0, -1.0]])))
