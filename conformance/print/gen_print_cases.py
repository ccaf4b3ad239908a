#!/usr/bin/python3
"""Generate the print fixtures for tx.runtime.tensor.TensorFormatTest by running real PyTorch.

Run with the Python that has PyTorch (Debian's python3-torch), from anywhere:

    /usr/bin/python3 conformance/print/gen_print_cases.py [--check] [output-dir]

--check writes nothing and exits 1 if the committed fixtures differ from what PyTorch prints now.

The output directory defaults to runtime/src/test/resources/print/ of this repository. Two files
are written:

tensor_cases.txt
    One block per case:

        case <name>
        shape <d0> <d1> ...          (nothing after "shape" for a 0-d tensor)
        data <v0> <v1> ...           (repr() of every element, row-major; round-trips exactly)
        suffix <text>                (only when PyTorch prints one, e.g. requires_grad=True)
        expect <n>
        <n lines: exactly what print(t) wrote>

float_repr.txt
    One line per case: the 16 hex digits of the IEEE-754 bits, a space, and repr(float).

The expected text always comes from PyTorch / CPython, never from the Java code under test.
"""
import math
import os
import random
import struct
import sys

import torch

torch.set_default_dtype(torch.float64)
torch.set_printoptions(profile="default")


def t(values, **kw):
    return torch.tensor(values, **kw)


def suffix_of(x):
    """The autograd suffix PyTorch appends (the tx runtime receives it as a string)."""
    if x.grad_fn is not None:
        return "grad_fn=<{}>".format(type(x.grad_fn).__name__)
    if x.requires_grad:
        return "requires_grad=True"
    return None


def plain_cases():
    """Tensors without autograd suffixes: (name, tensor)."""
    g = torch.Generator().manual_seed(1234)

    def randn(*shape):
        return torch.randn(*shape, generator=g)

    nan, inf = math.nan, math.inf
    cases = [
        # whole numbers (int_mode)
        ("int_vector", t([2.0, 2.0, 2.0])),
        ("int_arange10", torch.arange(10.0)),
        ("int_negative", t([-1.0, 2.0, -3.0])),
        ("int_matrix", t([[1.0, 2.0], [3.0, 4.0]])),
        ("int_matrix_mixed_width", t([[1.0, -20.0, 300.0], [400.0, 5.0, -6.0]])),
        ("int_matrix_ratio_sci", t([[1.0, -20.0, 300.0], [4000.0, 5.0, -6.0]])),
        ("int_ratio_1000_not_sci", t([1.0, 1000.0])),
        ("int_ratio_1001_sci", t([1.0, 1001.0])),
        ("int_1e8_not_sci", t([1.0e8, 2.0e7])),
        ("int_above_1e8_sci", t([100000001.0, 200000000.0])),
        ("int_123456789", t([123456789.0])),
        ("int_big_spread", t([100.0, 1000.0, 100000.0])),
        ("int_with_zero", t([0.0, 5.0, -7.0])),
        # fractional
        ("frac_simple", t([0.5, 1.25])),
        ("frac_tenths", t([0.1, 0.2, 0.3])),
        ("frac_thirds", t([1.0 / 3.0, 2.0 / 3.0, -1.0 / 3.0])),
        ("frac_negative", t([-0.5, 2.75, -100.125])),
        ("frac_min_1e-4_not_sci", t([1.0e-4, 0.05])),
        ("frac_ratio_5000_sci", t([1.0e-4, 0.5])),
        ("frac_small_not_sci", t([0.00012, 0.1])),
        ("frac_ratio_exactly_1000", t([0.001, 1.0, 0.5])),
        ("frac_mixed_int_and_frac", t([1.0, 2.0, 2.5])),
        # scientific
        ("sci_tiny_and_one", t([1.0e-5, 1.0])),
        ("sci_big_and_small", t([1.0e10, 1.5])),
        ("sci_huge_tiny", t([1.0e-300, 1.0e300])),
        ("sci_huge_only", t([1.0e300])),
        ("sci_tiny_only", t([1.0e-300])),
        ("sci_negative_huge_with_nan", t([-1.0e300, 1.0e-300, nan])),
        ("sci_ratio", t([0.5, 600.25])),
        ("sci_min_below_1e-4", t([0.5, 0.00009])),
        ("sci_denormal", t([5e-324, 1.0])),
        ("sci_max_double", t([1.7976931348623157e308, -2.5])),
        ("sci_exp_three_digits_mixed", t([1.5e-120, 2.5e-5, 3.5e100])),
        # nan / inf
        ("nan_inf_with_ints", t([1.0, nan, inf, -inf])),
        ("nan_with_frac", t([0.5, nan])),
        ("nan_single", t([nan])),
        ("nan_all", t([nan, nan, nan])),
        ("inf_single", t([inf])),
        ("inf_both", t([-inf, inf])),
        ("inf_with_sci_ints", t([1.0e10, inf, 1.0])),
        ("inf_with_frac", t([1.5, -inf])),
        ("nan_wider_than_int", t([1.0, nan, 2.0])),
        ("neg_inf_wider", t([10.0, -inf])),
        ("nan_matrix", t([[nan, 1.5], [-inf, 0.25]])),
        ("nan_with_zero", t([0.0, nan])),
        ("inf_sci_neg", t([-inf, 1.0e-7, -2.0])),
        # zeros and negative zero
        ("zeros_vector", torch.zeros(3)),
        ("zeros_matrix", torch.zeros(2, 3)),
        ("negzero_vector", t([-0.0])),
        ("zero_and_negzero", t([0.0, -0.0])),
        ("negzero_with_frac", t([-0.0, 0.5])),
        ("negzero_with_sci", t([-0.0, 1.0e-6])),
        ("negzero_tiny_frac", t([-0.00001, 1.0e-5, 0.5, 1000.0])),
        # 0-d
        ("scalar_int", t(6.0)),
        ("scalar_frac", t(0.5)),
        ("scalar_neg_frac", t(-3.25)),
        ("scalar_tiny", t(1.0e-5)),
        ("scalar_huge", t(1.0e20)),
        ("scalar_nan", t(nan)),
        ("scalar_inf", t(inf)),
        ("scalar_neg_inf", t(-inf)),
        ("scalar_zero", t(0.0)),
        ("scalar_negzero", t(-0.0)),
        ("scalar_pi", t(math.pi)),
        ("scalar_123456_789", t(123456.789)),
        ("scalar_1e8", t(1.0e8)),
        # rounding: Python rounds the exact binary value, ties to even
        ("round_ties_fixed", t([0.03125, 1.03125, 0.09375, 2.00005])),
        ("round_ties_sci", t([1.03125e-8, 1.0, 3.0625e7])),
        ("round_carry_fixed", t([0.99995, 9.99995, 0.5])),
        ("round_carry_sci", t([9.99995e-5, 1.0, 9.99996e10])),
        ("round_halfway_below", t([0.00004999, 0.5])),
        ("round_big_frac", t([99999.5, 0.5])),
        # long rows wrap at linewidth 80
        ("wrap_arange30", torch.arange(30.0)),
        ("wrap_halves100", torch.arange(100.0) * 0.5),
        ("wrap_randn50", randn(50)),
        ("wrap_sci40", randn(40) * 1.0e-5),
        ("wrap_big_ints", torch.arange(0.0, 5.0e7, 1.0e6)),
        ("wrap_negative_ints", -torch.arange(40.0)),
        ("wrap_exactly_nine", torch.arange(9.0) + 0.5),
        ("wrap_exactly_ten", torch.arange(10.0) + 0.5),
        # 2-D
        ("mat_randn_3x4", randn(3, 4)),
        ("mat_int_3x3", torch.arange(9.0).reshape(3, 3)),
        ("mat_wide_wraps", randn(2, 20)),
        ("mat_sci", randn(3, 3) * 1.0e9),
        ("mat_tall", randn(8, 2)),
        # 3-D and 4-D
        ("t3_arange", torch.arange(24.0).reshape(2, 3, 4)),
        ("t3_randn", randn(2, 2, 3)),
        ("t4_arange", torch.arange(16.0).reshape(2, 2, 2, 2)),
        ("t4_size1_dims", randn(1, 2, 1, 3)),
        ("t5_small", torch.arange(32.0).reshape(2, 2, 2, 2, 2) / 4.0),
        ("t9_deep", torch.arange(3.0).reshape(1, 1, 1, 1, 1, 1, 1, 1, 3)),
        ("t3_wide_rows", randn(2, 2, 15)),
        # size-1 dims
        ("size1_1", t([7.0])),
        ("size1_1x1", t([[7.5]])),
        ("size1_1x3", t([[1.0, 2.0, 3.0]])),
        ("size1_3x1", t([[1.0], [2.0], [3.0]])),
        ("size1_1x1x1", t([[[-2.0]]])),
        # empty
        ("empty_1d", torch.zeros(0)),
        ("empty_0x3", torch.zeros(0, 3)),
        ("empty_3x0", torch.zeros(3, 0)),
        ("empty_2x0x3", torch.zeros(2, 0, 3)),
        # summarized (> 1000 elements)
        ("sum_arange1001", torch.arange(1001.0)),
        ("sum_tenths2000", torch.arange(2000.0) * 0.1),
        ("sum_randn1001", randn(1001)),
        ("sum_mat_40x30", randn(40, 30)),
        ("sum_mat_arange_40x30", torch.arange(1200.0).reshape(40, 30)),
        ("sum_mat_10x110", randn(10, 110)),
        ("sum_mat_2x600", randn(2, 600)),
        ("sum_mat_600x2", randn(600, 2)),
        ("sum_t3_12x10x10", randn(12, 10, 10)),
        ("sum_t4_5x5x5x10", randn(5, 5, 5, 10)),
        ("sum_hidden_huge_middle", torch.cat([torch.ones(3), torch.full((1000,), 1.0e12), torch.ones(3)])),
        ("sum_hidden_nan_middle", torch.cat([torch.arange(3.0), torch.full((1000,), nan), torch.arange(3.0)])),
        ("sum_nan_at_edge", torch.cat([t([nan]), torch.arange(1001.0)])),
        ("sum_sci", randn(1200) * 1.0e-6),
        ("sum_exactly_1000_not", torch.arange(1000.0)),
    ]
    for i, scale in enumerate([1.0e-6, 1.0e-3, 1.0, 1.0e3, 1.0e6, 1.0e9]):
        cases.append(("rand_vec_scale%d" % i, randn(7) * scale))
        cases.append(("rand_mat_scale%d" % i, randn(3, 3) * scale))
    return cases


def grad_cases():
    """Tensors that carry autograd state: (name, tensor)."""
    g = torch.Generator().manual_seed(99)

    def leaf(*shape, scale=1.0):
        return (torch.randn(*shape, generator=g) * scale).requires_grad_()

    x3 = leaf(3, 3)
    cases = [
        ("rg_vector", t([1.0, 2.0, 3.0], requires_grad=True)),
        ("rg_scalar", t(2.5, requires_grad=True)),
        ("rg_matrix", leaf(2, 3)),
        ("rg_long_row", leaf(30)),
        ("rg_summarized", torch.arange(1001.0).requires_grad_()),
        ("rg_empty", torch.zeros(0, requires_grad=True)),
        ("rg_empty_0x3", torch.zeros(0, 3, requires_grad=True)),
        ("gf_mul_3x3", x3 * 2),
        ("gf_add_3x3", x3 + 1),
        ("gf_sum_scalar", x3.sum()),
        ("gf_mean_scalar", x3.mean()),
        ("gf_exp_vector", torch.exp(leaf(4))),
        ("gf_mm", x3 @ x3),
        ("gf_log_softmax", torch.log_softmax(leaf(2, 5), dim=1)),
        ("gf_t3", leaf(2, 2, 2) * 3),
        ("gf_sum_wide", leaf(2, 20).sum(0)),
        ("gf_summarized", leaf(1200) * 2),
        ("gf_mat_summarized", leaf(40, 30) * 2),
        ("gf_sci", leaf(4, scale=1.0e-6) * 1),
    ]
    # rows whose last line is close to 80 columns, so the suffix may move to its own line
    for n in range(7, 12):
        cases.append(("rg_fill_%d" % n, (torch.arange(float(n)) + 0.25).requires_grad_()))
        cases.append(("gf_fill_%d" % n, (torch.arange(float(n)) + 0.25).requires_grad_() * 1))
    for n in (16, 17, 18, 19):
        cases.append(("gf_int_fill_%d" % n, torch.arange(float(n)).requires_grad_() + 100))
    return cases


def fuzz_cases(count=60):
    """Seeded random tensors mixing shapes, magnitudes, whole numbers, zeros, nan and inf."""
    rng = random.Random(2024)
    specials = [0.0, -0.0, math.nan, math.inf, -math.inf]
    cases = []
    for k in range(count):
        rank = rng.choice([0, 1, 1, 2, 2, 3, 4])
        shape = [rng.randint(1, 5) for _ in range(rank)]
        if rank > 0 and rng.random() < 0.15:
            # one long dimension, the others short: summarized, but a small fixture
            shape = [1] * rank
            shape[rng.randrange(rank)] = 2
            shape[rng.randrange(rank)] = rng.randint(340, 1100)
        numel = 1
        for d in shape:
            numel *= d
        whole = rng.random() < 0.3
        scale = 10.0 ** rng.randint(-9, 11)
        values = []
        for _ in range(numel):
            if rng.random() < 0.08:
                values.append(rng.choice(specials))
            elif whole:
                values.append(float(rng.randint(-2000, 2000)))
            else:
                values.append(rng.gauss(0.0, 1.0) * scale)
        x = torch.tensor(values).reshape(shape)
        if rng.random() < 0.3:
            x = x.requires_grad_() * 1 if rng.random() < 0.5 else x.requires_grad_()
        cases.append(("fuzz_%02d" % k, x))
    return cases


def write_tensor_cases(path):
    count = 0
    with open(path, "w") as f:
        f.write("# Generated by conformance/print/gen_print_cases.py with torch %s. Do not edit.\n" % torch.__version__)
        for name, x in plain_cases() + grad_cases() + fuzz_cases():
            text = str(x)
            lines = text.split("\n")
            data = x.detach().reshape(-1).tolist()
            f.write("case %s\n" % name)
            f.write(("shape " + " ".join(str(d) for d in x.shape)).rstrip() + "\n")
            f.write(("data " + " ".join(repr(v) for v in data)).rstrip() + "\n")
            suffix = suffix_of(x)
            if suffix is not None:
                f.write("suffix %s\n" % suffix)
            f.write("expect %d\n" % len(lines))
            for line in lines:
                f.write(line + "\n")
            count += 1
    return count


def float_values():
    rng = random.Random(4321)
    vals = [
        0.0, -0.0, 1.0, -1.0, 2.0, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 0.5, 1.5, 100.0,
        1e-05, 1e-4, 0.0001, 0.00012, 1.5e20, 1e16, 1e15, 9999999999999998.0, 1e22, 1e23, 2e23,
        123456789.0, 123456789012345678.0, 1234567890123456.7, 3.141592653589793, 2.718281828459045,
        5e-324, 1e-323, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
        math.inf, -math.inf, math.nan, 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 63, 2.0 ** -1074 * 3,
        0.3, 0.7, 1.1, 4.35, 5e-5, 1e-5 * 3, 1e300, 1e-300, -2.5e-7, 6.02214076e23, 9.109e-31,
        2.0e-3, 1.0e-3, 0.001, 1.0e7, 1.0e8, 12345.678, -987654.321, 0.1 * 3, 1.0 - 1e-16,
        4.9406564584124654e-324, 8.41e21, 5.8e-5, 1.0e21, 1.0e-22, 7.0e-10, 2.0 ** -20,
    ]
    vals += [2.0 ** k for k in range(-1074, 1024)]
    vals += [-(2.0 ** k) * 1.5 for k in range(-60, 70, 3)]
    vals += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(300)]
    vals += [rng.uniform(-1000.0, 1000.0) for _ in range(100)]
    vals += [float(rng.randint(-10 ** 6, 10 ** 6)) / 10 ** rng.randint(0, 8) for _ in range(100)]
    return vals


def write_float_cases(path):
    count = 0
    with open(path, "w") as f:
        f.write("# Generated by conformance/print/gen_print_cases.py with Python %s. Do not edit.\n"
                % sys.version.split()[0])
        f.write("# <IEEE-754 bits in hex> <repr(float)>\n")
        for v in float_values():
            bits = struct.unpack("<Q", struct.pack("<d", v))[0]
            f.write("%016x %s\n" % (bits, repr(v)))
            count += 1
    return count


def check(out):
    """Regenerate into a temporary directory and report fixtures that differ from the committed ones."""
    import filecmp
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        write_tensor_cases(os.path.join(tmp, "tensor_cases.txt"))
        write_float_cases(os.path.join(tmp, "float_repr.txt"))
        differing = [name for name in ("tensor_cases.txt", "float_repr.txt")
                     if not os.path.exists(os.path.join(out, name))
                     or not filecmp.cmp(os.path.join(tmp, name), os.path.join(out, name), shallow=False)]
    for name in differing:
        print("DIFFERS %s" % os.path.normpath(os.path.join(out, name)))
    return 1 if differing else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "runtime", "src", "test", "resources", "print")
    args = [a for a in sys.argv[1:] if a != "--check"]
    out = args[0] if args else default_out
    if "--check" in sys.argv[1:]:
        sys.exit(check(out))
    os.makedirs(out, exist_ok=True)
    n_tensor = write_tensor_cases(os.path.join(out, "tensor_cases.txt"))
    n_float = write_float_cases(os.path.join(out, "float_repr.txt"))
    print("wrote %d tensor cases and %d float repr cases to %s" % (n_tensor, n_float, os.path.normpath(out)))


if __name__ == "__main__":
    main()
