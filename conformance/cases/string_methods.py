# PyTorch twin of string_methods.tx
import torch
torch.set_default_dtype(torch.float64)
words = ["emma", "olivia", "ava"]
print(''.join(words), '-'.join(words), ", ".join(("a", "b")), '.'.join("abc"), '+'.join([]))
line = "  the quick\tbrown  fox\n"
print(line.split(), line.strip().split(" "), "a,b,,c,".split(","), "a b  c d".split(None, 2), "k=v=w".split("=", 1))
print("1 2 3".split(maxsplit=1), "".split(), "".split(","), "x".split("x"))
print([line.strip(), line.lstrip(), line.rstrip()], "xxhixyx".strip("xy"), "..a..".rstrip("."), "--a".lstrip("-"))
print("Emma Olivia".lower(), "Emma Olivia".upper(), "ÄÖü".lower(), "straße".upper())
print("emma".startswith("em"), "emma".startswith("ma"), "emma".endswith("ma"), "emma".endswith(("x", "mma")), "".startswith(""))
print("banana".replace("a", "o"), "banana".replace("a", "o", 2), "banana".replace("an", ""), "ab".replace("", "-"), "abc".replace("", "-", 2))
print(ord("a"), ord("."), ord("é"), chr(97), chr(46) + chr(9786), ord(chr(8364)))
s = "Hello, World"
t = s.lower().replace(",", "").split()
print(t, len(t), t[0].upper() + "!", "-".join(t).startswith("hello-"))
