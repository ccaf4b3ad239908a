# PyTorch twin of makemore_bigram.tx: the bigram language model of Andrej Karpathy's makemore,
# part 1 (github.com/karpathy/makemore, nn-zero-to-hero's makemore_part1_bigrams.ipynb), as written
# there except: a short inline word list instead of names.txt, float64 (so torch.randn draws other
# bits than the notebook's float32), the loss printed to 6 decimals, 20 steps instead of 100, no
# sampling.
import torch; torch.set_default_dtype(torch.float64)
import torch.nn.functional as F
words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn"]
print(words[:3], len(words))

chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
print(itos)
n = len(stoi)

# the first word's bigrams, as the notebook prints them
for w in words[:1]:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        print(ch1, ch2)

# create the training set of bigrams (x, y)
xs, ys = [], []
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        xs.append(ix1)
        ys.append(ix2)
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print('number of examples: ', num)
print(xs[:5], ys[:5])

# initialize the 'network'
g = torch.Generator().manual_seed(2147483647)
W = torch.randn((n, n), generator=g, requires_grad=True)

# gradient descent
for k in range(20):
    # forward pass
    xenc = F.one_hot(xs, num_classes=n).double() # input to the network: one-hot encoding (the notebook writes .float(); tx has float64 only, its .float() is .double())
    logits = xenc @ W # predict log-counts
    counts = logits.exp() # counts, equivalent to N
    probs = counts / counts.sum(1, keepdims=True) # probabilities for next character
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W ** 2).mean()
    print(f'{loss.item():.6f}')

    # backward pass
    W.grad = None # set to zero the gradient
    loss.backward()

    # update
    W.data += -50 * W.grad

# the probabilities of the first character of a word, after training (the row of '.')
print(probs[0])
