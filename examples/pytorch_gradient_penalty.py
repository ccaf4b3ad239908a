# PyTorch twin of pytorch_gradient_penalty.tx: the "Gradient penalty" example of PyTorch's notes
# "Automatic Mixed Precision examples" (docs/source/notes/amp_examples.rst, github.com/pytorch/
# pytorch), in its form without a GradScaler: the gradients of the loss with respect to the
# parameters are taken with torch.autograd.grad(..., create_graph=True), their norm is added to the
# loss as a penalty, and backward differentiates through the gradients (a second derivative). As
# written there except: float64 (the default dtype set below), a small two-layer tanh model written
# with tensors (model.parameters() is `params`), deterministic data (sines), and the optimizer's
# zero_grad and SGD step written out (p.grad = None; p -= lr * p.grad under no_grad).
import torch; torch.set_default_dtype(torch.float64)

inputs = torch.sin(torch.arange(24.0).reshape(8, 3) * 0.9)
targets = torch.cos(inputs.sum(1, keepdim=True) * 1.3)
data = list(zip(inputs.split(4), targets.split(4)))

W1 = (torch.sin(torch.arange(12.0).reshape(3, 4) * 1.7) * 0.5).requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
W2 = (torch.cos(torch.arange(4.0).reshape(4, 1) * 2.1) * 0.5).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]  # model.parameters()


def model(input):
    return torch.tanh(input @ W1 + b1) @ W2 + b2


loss_fn = torch.nn.functional.mse_loss
lr = 0.2

for epoch in range(6):
    for input, target in data:
        for p in params:  # optimizer.zero_grad()
            p.grad = None
        output = model(input)
        loss = loss_fn(output, target)

        # Creates gradients
        grad_params = torch.autograd.grad(outputs=loss,
                                          inputs=params,
                                          create_graph=True)

        # Computes the penalty term and adds it to the loss
        grad_norm = 0
        for grad in grad_params:
            grad_norm += grad.pow(2).sum()
        grad_norm = grad_norm.sqrt()
        loss = loss + grad_norm

        loss.backward()

        # clip gradients here, if desired

        with torch.no_grad():  # optimizer.step()
            for p in params:
                p -= lr * p.grad
    print(f'epoch {epoch}, loss {loss.item():.6f}, grad norm {grad_norm.item():.6f}')

print(W2.grad, grad_norm)
