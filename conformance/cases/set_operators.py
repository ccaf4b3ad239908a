# PyTorch twin of set_operators.tx
a = set([1, 2, 3])
b = set([3, 4])
print(a | b, a & b, a - b, a ^ b, b - a, a | set(), sorted(set('abc') | set('cd')))
print(a <= b, set([3]) <= a, set([3]) < a, a < a, a >= set([1]), a > a, a == set([3, 2, 1]), a != b)
seen = set()
alias = seen
for w in ['x', 'y', 'x', 'z']:
    seen.add(w)
print(len(seen), sorted(alias), 'x' in seen)
seen.discard('x')
seen.discard('q')
seen.remove('y')
print(sorted(seen), sorted(alias))
c = set([5])
c.update([6, 7], 'a')
print(len(c), sorted(c, key=str))
c.clear()
print(c, a.union([7], b), a.intersection(b), a.difference([1]), a.symmetric_difference([1, 5]), a.issubset([1, 2, 3, 4]), a.issuperset(b), a.isdisjoint([7]))
d = a.copy()
d.add(0)
print(a, d)
print([1, 2] == [1, 2], [1, 2] == [1, 2.0], [1, [2, 'a']] == [1, [2, 'a']], [1] == (1,), (1, 2) != (1, 3), [] == [], [1] == 1, [None] == [None])
print([1, 2] < [1, 3], (1, 2) <= (1, 2), [2] > [1, 5], ('a', 1) >= ('a',), {'a': 1} == {'a': 1.0}, {'a': 1} == {'b': 1})
def unique(xs):
    out = set()
    for x in xs:
        out.add(x)

    return out
print(unique([3, 1, 3, 0]))
e = set([1])
f = e
e |= set([2, 3])
e -= set([1])
print(e, f, e == f)
def note(s, w):
    s.add(w)
seen = set()
note(seen, 'a')
note(seen, 'b')
note(seen, 'a')
glob = set([1])
def grow(x):
    glob.add(2)
    return x * 2
import torch
torch.set_default_dtype(torch.float64)
print(sorted(seen), grow(torch.tensor([1.0, 2.0])), glob)
