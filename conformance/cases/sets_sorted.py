# PyTorch twin of sets_sorted.tx
import torch
torch.set_default_dtype(torch.float64)
words = ["emma", "olivia", "ava", "isabella", "sophia"]
letters = set(''.join(words))
print(len(letters), 'a' in letters, 'z' in letters, 'q' not in letters)
chars = sorted(list(letters))
print(chars, sorted(letters)[0], sorted(letters)[-1])
print(sorted(set(words), reverse=True), sorted("banana"), sorted((3, 1, 2)), sorted([2.5, -1, 0, True]))
print(sorted({'b': 1, 'a': 2}), sorted(range(5), reverse=True), sorted([]), sorted(["B", "a", "A", "b"]))
print(set(), set([3, 1, 1, 0]), set(range(5)), set([1, 1.0, True]), len(set([1, 1.0, True, 2])))
print(sorted(set([1, True, 1.0])), sorted([1, True, 1.0], reverse=True), sorted([True, 1]))
vocab = sorted(set("hello world".split() + ["hello", "again"]))
print(vocab, len(vocab))
for v in sorted(set("abca")):
    print(v)
