"""Makes the .npy fixtures of NpyTest (this folder) and the data of examples/npy_io.tx and examples/rnn.tx (examples/data/).

Run with /usr/bin/python3 (NumPy 1.24 was used):  /usr/bin/python3 compiler/src/test/resources/npy/make_fixtures.py
The values written here are written out again, by hand, in NpyTest.java: the test does not read
them back through the code it tests. Every file is tiny.
"""
import io
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
examples = os.path.join(here, "..", "..", "..", "..", "..", "examples", "data")


def save(name, a, folder=here):
    np.save(os.path.join(folder, name), a)


def write_version(name, a, version):
    with open(os.path.join(here, name), "wb") as f:
        np.lib.format.write_array(f, a, version=version)


def raw(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def header_file(dict_text, version=(1, 0), data=b""):
    """A .npy file with a hand-written header dict, padded as NumPy pads it."""
    text = dict_text.encode("latin1")
    hlen = len(text) + 1
    pad = 64 - ((8 + 2 + hlen) % 64)
    return b"\x93NUMPY" + bytes(version) + (hlen + pad).to_bytes(2, "little") + text + b" " * pad + b"\n" + data


# ---- what tx reads -------------------------------------------------------------------------------------
save("f8_2d.npy", np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype="<f8"))
save("f8_special.npy", np.array([np.inf, -np.inf, np.nan, -0.0], dtype="<f8"))
save("f4_1d.npy", np.array([0.5, -1.25, 3.0, 0.1], dtype="<f4"))
save("i4_2d.npy", np.array([[-3, 0], [7, 2147483647], [-2147483648, 1]], dtype="<i4"))
save("i8_1d.npy", np.array([-5, 0, 2**53 + 1], dtype="<i8"))  # 2**53 + 1 rounds to 2**53 as a float64
save("i8_2d.npy", np.array([[1, -2], [30, 4]], dtype="<i8"))  # what save writes for an int64 tensor, byte for byte
save("b1_2d.npy", np.array([[True, False, False], [False, True, True]]))  # and for a bool tensor
save("scalar.npy", np.array(2.5, dtype="<f8"))
save("empty.npy", np.zeros((0,), dtype="<f8"))
save("empty_2x0.npy", np.zeros((2, 0), dtype="<f8"))
save("fortran_2d.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
save("fortran_3d.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
write_version("v2.npy", np.array([1.0, 2.0, 3.0], dtype="<f8"), (2, 0))
write_version("v3.npy", np.array([[4.0], [5.0]], dtype="<f4"), (3, 0))
raw("trailing_bytes.npy", npy_bytes(np.array([1.0, 2.0], dtype="<f8")) + b"extra")

save("weights.npy", np.array([0.5, -1.0, 2.0], dtype="<f8"))  # the E0506 examples overwrite a copy of it

# ---- what tx refuses, with a diagnostic --------------------------------------------------------------
save("big_endian.npy", np.array([1.0, 2.0], dtype=">f8"))
save("bool.npy", np.array([True, False]))
save("complex.npy", np.array([1 + 2j], dtype="<c16"))
save("str.npy", np.array(["ab", "c"]))
save("uint8.npy", np.array([1, 2], dtype="|u1"))
whole = npy_bytes(np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype="<f8"))
raw("truncated.npy", whole[: 128 + 20])  # the header (128 bytes) and 20 of the 48 bytes of data
raw("truncated_header.npy", whole[:40])
raw("not_npy.npy", b"1.0 2.0 3.0\n")
raw("bad_version.npy", b"\x93NUMPY\x04\x00" + whole[8:])
raw("wrong_keys.npy", header_file("{'descr': '<f8', 'shape': (2,), }", data=b"\0" * 16))
raw("bad_shape.npy", header_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 'x'), }", data=b"\0" * 16))
raw("not_a_dict.npy", header_file("[1, 2, 3]"))

# ---- examples/npy_io.tx's data ------------------------------------------------------------------------
os.makedirs(examples, exist_ok=True)
save("xs.npy", np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]], dtype="<f8"), examples)
save("ys.npy", np.array([1.0, 3.0, 5.0, 7.0, 9.0], dtype="<f4"), examples)

# ---- examples/rnn.tx's data: 8 steps of 3 features (two sines and a ramp), and a target -----------------
t = np.arange(8, dtype="<f8")
save("seq.npy", np.stack([np.sin(0.7 * t), np.cos(0.4 * t), t / 8.0], axis=1).astype("<f8"), examples)
save("seq_target.npy", np.array([0.25, -0.5], dtype="<f8"), examples)
