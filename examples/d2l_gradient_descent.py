# PyTorch twin of d2l_gradient_descent.tx (see there for the source and what differs from d2l's code)
import numpy as np
import torch
torch.set_default_dtype(torch.float64)

def f(x):  # Objective function
    return x ** 2

def f_grad(x):  # Gradient (derivative) of the objective function
    return 2 * x

def gd(eta, f_grad):
    x = 10.0
    results = [x]
    for i in range(10):
        x -= eta * f_grad(x)
        results.append(float(x))
    print(f'epoch 10, x: {x:f}')
    return results

results = gd(0.2, f_grad)

def show_trace(results, f):
    n = max(abs(min(results)), abs(max(results)))
    values = [f(x) for x in results]
    print(f"x from {min(results):.4f} to {max(results):.4f}, plotted over [-{n:.4f}, {n:.4f}]")
    print(torch.tensor(results))
    print(torch.tensor(values))

show_trace(results, f)
show_trace(gd(0.05, f_grad), f)
show_trace(gd(1.1, f_grad), f)

c = torch.tensor(0.15 * np.pi)

def g(x):  # Objective function
    return x * torch.cos(c * x)

def g_grad(x):  # Gradient of the objective function
    return torch.cos(c * x) - c * x * torch.sin(c * x)

show_trace(gd(2, g_grad), g)

c = torch.tensor(0.5)

def h(x):  # Objective function
    return torch.cosh(c * x)

def h_grad(x):  # Gradient of the objective function
    return c * torch.sinh(c * x)

def h_hess(x):  # Hessian of the objective function
    return c**2 * torch.cosh(c * x)

def newton(eta=1):
    x = 10.0
    results = [x]
    for i in range(10):
        # Gradient descent
        x -= eta * h_grad(x) / h_hess(x)
        results.append(float(x))
    print('epoch 10, x:', x)
    return results

show_trace(newton(), h)
