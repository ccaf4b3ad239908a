#!/usr/bin/env bash
# load and save against NumPy itself: NumPy writes arrays of every dtype, order and format version
# tx reads; a tx program loads each one and saves it again; NumPy then checks that every file tx
# wrote loads as the original array converted to float64 (bit for bit, nan, inf and -0.0 included),
# and that its bytes are exactly those np.save writes for that array. `mvn test` does not need this
# script (NpyTest covers the same ground with committed fixtures); it needs a Python with NumPy.
#
# usage: conformance/npy_roundtrip.sh        PYTHON (default /usr/bin/python3) names the interpreter
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import numpy' >/dev/null 2>&1; then
    echo "npy_roundtrip.sh: '$python' cannot import numpy (set PYTHON to an interpreter that has it)" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

names=(f8 f4 i4 i8 fortran fortran3 scalar empty special v2 v3)

"$python" - "$tmp" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
a = rng.standard_normal((3, 4))
np.save(f"{d}/a_f8.npy", a)
np.save(f"{d}/a_f4.npy", a.astype("<f4"))
np.save(f"{d}/a_i4.npy", (a * 1e6).astype("<i4"))
np.save(f"{d}/a_i8.npy", np.array([2**62 + 12345, -(2**53) - 1, 7], dtype="<i8"))
np.save(f"{d}/a_fortran.npy", np.asfortranarray(a))
np.save(f"{d}/a_fortran3.npy", np.asfortranarray(rng.standard_normal((2, 3, 4))))
np.save(f"{d}/a_scalar.npy", np.array(-2.75))
np.save(f"{d}/a_empty.npy", np.zeros((0, 3)))
np.save(f"{d}/a_special.npy", np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324, 1.7976931348623157e308]))
for v in (2, 3):
    with open(f"{d}/a_v{v}.npy", "wb") as f:
        np.lib.format.write_array(f, a[:2], version=(v, 0))
PY

{
    for n in "${names[@]}"; do echo "save(\"b_$n.npy\", load(\"a_$n.npy\"))"; done
} > "$tmp/roundtrip.tx"
"$root/tx" run "$tmp/roundtrip.tx"

"$python" - "$tmp" "${names[@]}" <<'PY'
import io
import sys
import numpy as np
d, names = sys.argv[1], sys.argv[2:]
for n in names:
    want = np.load(f"{d}/a_{n}.npy").astype(np.float64, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
    got = np.load(f"{d}/b_{n}.npy")
    assert got.dtype == np.dtype("<f8") and got.flags.c_contiguous, n
    assert got.shape == want.shape, (n, got.shape, want.shape)
    assert (got.view(np.uint64) == want.view(np.uint64)).all(), (n, got, want)
    buf = io.BytesIO()
    np.save(buf, want)
    assert open(f"{d}/b_{n}.npy", "rb").read() == buf.getvalue(), f"{n}: the bytes differ from np.save's"
print(f"npy_roundtrip.sh: {len(names)} arrays from NumPy loaded and saved by tx, and read back by NumPy {np.__version__}: all equal")
PY
