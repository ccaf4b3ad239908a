# PyTorch twin of string_sequences.tx
import torch
torch.set_default_dtype(torch.float64)
w = "emma"
print(list(w), len(w), len(""), w[0], w[-1], w[1:3], w[:10], w[::2], w[5:], list(""))
print(w[::-1], "abcdef"[4:1:-1], "abcdef"[-1:-4:-2], "abcdef"[10::-2], "abcdef"[:-10:-1], "abc"[-10::-1], "abcdef"[1:5:2])
chs = ['.'] + list(w) + ['.']
print(chs, chs[1:], chs[:-1], len(chs))
for c in w:
    print(c, ord(c) - ord('a'))
for i, c in enumerate("ab"):
    print(i, c)
for a, b in zip("abc", "xy"):
    print(a + b)
pairs = []
for ch1, ch2 in zip(chs, chs[1:]):
    pairs.append(ch1 + ch2)
print(pairs)
print("mm" in w, "x" in w, "" in w, "ma" not in w, 'a' in chs, 'z' in chs, 'z' not in chs, 2 in (1, 2), 2.0 in [1, 2], True in [0, 1])
codes = []
for c in "hello":
    codes.append(ord(c))
x = torch.tensor(codes)
print(x, x.max())
