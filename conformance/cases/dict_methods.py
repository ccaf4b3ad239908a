# PyTorch twin of dict_methods.tx
import torch
torch.set_default_dtype(torch.float64)
hp = {'lr': 0.1, 'epochs': 3}
alias = hp
hp['lr'] = 0.05
print(alias, alias is hp)
hp.update({'wd': 0.001, 'lr': 0.01})
print(alias)
hp.update(momentum=0.9)
print(hp.pop('momentum'), hp.pop('nope', None), hp.pop('epochs', 7), alias)
print(hp.setdefault('batch', 32), hp.setdefault('lr', 1.0), hp)
print(hp.get('missing'), hp.get('missing', -1))
c = hp.copy()
c['lr'] = 123
print(hp['lr'], c['lr'], c is hp, c is not hp)
holder = [hp, {'inner': hp}]
hp['new'] = torch.tensor([1.0, 2.0])
print(holder)
def tweak(d):
    d['lr'] = d['lr'] * 10
    d.update(tweaked=True)
tweak(hp)
print(alias['lr'], alias['tweaked'])
stats = {}
def record(name, v):
    stats[name] = v
record('loss', 0.5)
record('acc', 0.9)
print(stats)
hp.clear()
print(alias, len(holder[1]['inner']))
names = ['w', 'b']
params = [torch.tensor([1.0, 2.0]), torch.tensor(0.5)]
k = 'outer'
shapes = {k: v.shape for k, v in zip(names, params)}
print(shapes, k)
squares = {i: i * i for i in range(5) if i % 2 == 0}
print(squares)
hp = {'lr': 0.1, 'wd': 0.0, 'momentum': 0.9}
nonzero = {key: val for key, val in hp.items() if val != 0}
print(nonzero)
index = {name: i for i, name in enumerate(names)}
print(index, {n: {'size': p.numel()} for n, p in zip(names, params)})
grads = {n: p * 2 for n, p in zip(names, params)}
print(grads)
