"""triple_quoted: triple-quoted strings over several lines, as docstrings (first in a file or a
function body, where they do nothing) and as values, printed with their line breaks."""
import torch
torch.set_default_dtype(torch.float64)
def loss(w, x):
    """The mean of tanh(x @ w) squared.

    A docstring, as d2l writes one; the function is still pure, and its gradient is written out.
    """
    return torch.mean(torch.tanh(x @ w) ** 2)
def report(name, v):
    '''Prints one line.'''
    print(name, v)
w = torch.tensor([0.5, -0.25, 1.0], requires_grad=True)
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [-1.0, 0.5, 2.0], [2.0, 2.0, -1.0]])
l = loss(w, x)
l.backward()
print(l, w.grad)
report("loss", l.item())
banner = """epoch 1
  it's "quoted" inside, \
and this line is joined"""
print(banner)
print('''a
b''' + "c")
print(""""""  + '''x''')
t = """tab\there"""
print(t)
