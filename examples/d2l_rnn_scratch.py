# PyTorch twin of d2l_rnn_scratch.tx (see there for the source and what differs from d2l's code)
import math
import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)

vocab_size, num_hiddens, num_steps, batch_size = 4, 6, 3, 2

def get_params(vocab_size, num_hiddens):
    num_inputs = vocab_size
    num_outputs = vocab_size
    W_xh = torch.sin(torch.arange(num_inputs * num_hiddens).reshape(num_inputs, num_hiddens) * 1.3) * 0.3
    W_hh = torch.cos(torch.arange(num_hiddens * num_hiddens).reshape(num_hiddens, num_hiddens) * 0.7) * 0.3
    b_h = torch.zeros(num_hiddens)
    W_hq = torch.sin(torch.arange(num_hiddens * num_outputs).reshape(num_hiddens, num_outputs) * 0.9) * 0.3
    b_q = torch.zeros(num_outputs)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    W_xh.requires_grad_(True)
    W_hh.requires_grad_(True)
    b_h.requires_grad_(True)
    W_hq.requires_grad_(True)
    b_q.requires_grad_(True)
    return params

def init_rnn_state(batch_size, num_hiddens):
    return torch.zeros((batch_size, num_hiddens))

def rnn(inputs, H, params):
    # Here `inputs` shape: (`num_steps`, `batch_size`, `vocab_size`)
    W_xh, W_hh, b_h, W_hq, b_q = params
    outputs = []
    # Shape of `X`: (`batch_size`, `vocab_size`)
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), H

def sgd(params, lr, batch_size):
    # Minibatch stochastic gradient descent.
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

params = get_params(vocab_size, num_hiddens)
corpus = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 2, 1, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1, 0, 3, 2, 0])
# sequential minibatches, as d2l's seq_data_iter_sequential (without its random offset): [batch_size, num_steps] inputs and the next tokens
num_tokens = ((corpus.shape[0] - 1) // batch_size) * batch_size
Xs = corpus[:num_tokens].reshape(batch_size, -1)
Ys = corpus[1:num_tokens + 1].reshape(batch_size, -1)
num_batches = Xs.shape[1] // num_steps
assert num_batches == 4, f"{num_batches} minibatches"

lr, num_epochs = 0.5, 15
ppls = []
for epoch in range(num_epochs):
    state = init_rnn_state(batch_size, num_hiddens)
    total, n = 0.0, 0
    for i in range(0, num_steps * num_batches, num_steps):
        X = Xs[:, i:i + num_steps]
        Y = Ys[:, i:i + num_steps]
        state = state.detach()
        y = Y.T.reshape(-1)
        inputs = F.one_hot(X.T, vocab_size).type(torch.float64)
        y_hat, state = rnn(inputs, state, params)
        l = F.cross_entropy(y_hat, y.long()).mean()
        l.backward()
        sgd(params, lr, 1)
        total += l.item() * y.numel()
        n += y.numel()
    ppls.append(math.exp(total / n))
for epoch, ppl in enumerate(ppls):
    print(f"epoch {epoch + 1}: perplexity {ppl:.6f}")
print(f"perplexity {ppls[-1]:.3f}, after {len(ppls)} epochs")
assert ppls[-1] < ppls[0], "training lowers the perplexity"
with torch.no_grad():
    y_hat, _ = rnn(F.one_hot(Xs[:, :num_steps].T, vocab_size).type(torch.float64), init_rnn_state(batch_size, num_hiddens), params)
    print(y_hat.argmax(dim=1).reshape(num_steps, batch_size).T, Ys[:, :num_steps])
