# PyTorch twin of sorted_key.tx
words = ['pear', 'fig', 'banana', 'kiwi', 'apple']
print(sorted(words), sorted(words, key=len), sorted(words, key=len, reverse=True))
print(sorted(words, key=lambda w: (len(w), w)), sorted(words, key=lambda w: w[-1]))
def score(w):
    return -len(w)
print(sorted(words, key=score), sorted([3, -1, -4, 2], key=abs), sorted([(1, 'b'), (0, 'z'), (1, 'a')]))
pairs = [('a', 3), ('b', 1), ('c', 2)]
print(sorted(pairs, key=lambda p: p[1]), max(pairs, key=lambda p: p[1]), min(pairs, key=lambda p: p[1]))
print(max(words), min(words), max(words, key=len), min(words, key=len), max('hello'), min('b', 'a', 'c'))
print(max([], default=0), min([2, -3], key=abs), max(-3, 2, key=abs), max(3, -3, key=abs), min([], key=len, default='none'))
d = {'x': 2, 'y': 5, 'z': 1}
print(max(d, key=lambda k: d[k]), sorted(d.items(), key=lambda kv: kv[1], reverse=True))
print(sorted([2.5, 1, True, 0.5]), sorted(set('banana')), max([1.5, 2], key=None), sorted(range(5), key=lambda i: (i % 2, -i)))
print(max([[1, 2], [1, 2, 0], [0, 9]]), sorted(['b', 'B', 'a', 'A']), sorted(['ab', 'a', 'abc'], reverse=True))
lrs = [0.1, 0.01, 0.3]
losses = {'0.1': 0.5, '0.01': 0.9, '0.3': 0.45}
best = min(range(len(lrs)), key=lambda i: losses[str(lrs[i])])
print(best, lrs[best])
