# PyTorch twin of dicts.tx: Python dicts with literal keys, as d2l's hyperparams: a literal over several lines, d[k],
# d[k] = v (a new key goes last, an old one keeps its place), op= through a key, len, in and not
# in, loops over the keys, .items() and .values() in insertion order, get, a dict passed to a
# function, tensors as values (updated under no_grad in a training loop), and print as Python's
import torch
torch.set_default_dtype(torch.float64)
hyperparams = {
    'lr': 0.03,
    'wd': 3,
}
print(hyperparams, len(hyperparams), hyperparams['lr'])
hyperparams['lr'] = 0.01
hyperparams['momentum'] = 0.9
hyperparams['wd'] += 1
print(hyperparams, 'lr' in hyperparams, 'beta' in hyperparams, 'beta' not in hyperparams)
for k in hyperparams:
    print(k, hyperparams[k])

for k, v in hyperparams.items():
    print(f'{k}={v}')

print(list(hyperparams.values()), list(hyperparams.keys()), hyperparams.get('beta', 0.5), hyperparams.get('lr'))
def sgd(params, states, hyperparams):
    for p in params:
        with torch.no_grad():
            p -= hyperparams['lr'] * p.grad

        p.grad.zero_()


w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
state = {'w': w, 'name': "linear", 1: [1, 2], True: 'one'}
for epoch in range(3):
    l = (w * w).sum()
    l.backward()
    sgd([w], [], {'lr': 0.1 * (epoch + 1)})
    print(epoch, l.item(), w)

print(state)
print({}, {'t': torch.tensor([[1.0, 2.0], [3.0, 4.0]])}, {2: 'b', 1: 'a'})
def make(lr):
    return {'lr': lr, 'name': 'sgd'}
d = make(0.1)
print(d, f"{d['lr']:.3f}", len(d))
for i in range(2):
    e = {'i': i, 'sq': i * i}
    print(e)
print(e, {'n': len(e)})
