#!/usr/bin/env bash
# The functional transforms (issue 14) side by side with functorch, PyTorch 1.13's torch.func:
# jvp against the function, hvp against the gradient, the 100 x 100 Jacobian by jacfwd and jacrev,
# and per-example gradients by vmap of grad. 1 thread, float64, medians. Prints a table; writes nothing.
# PYTHON (default /usr/bin/python3) names an interpreter that has torch and functorch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
file="$root/bench/transforms/transforms.tx"
have_torch=1
"$python" -c 'import functorch' >/dev/null 2>&1 || { echo "transforms.sh: '$python' cannot import functorch; the PyTorch column says n/a" >&2; have_torch=0; }

tx_ms() { # the function's median in ms, from tx bench's JSON
    "$root/tx" bench "$file" --fn "$1" --threads 1 --json | tail -1 | "$python" -c 'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]])' "$2"
}
pt_ms() {
    if [ $have_torch -eq 1 ]; then "$python" "$root/bench/transforms/twins.py" "$1" | tail -1 | "$python" -c 'import json,sys; print(json.load(sys.stdin)["ms"])'; else echo nan; fi
}

f=$(tx_ms f function_ms); fg=$(tx_ms f gradient_ms)
pf=$(pt_ms f); pfg=$(pt_ms f_grad)
echo "| case | tx ms | functorch ms | tx/PT | tx against its base | functorch against its base |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
row() { # name, tx ms, PyTorch ms, tx base, PyTorch base, base name
    "$python" - "$@" <<'PY'
import sys
name, t, p, tb, pb, base = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
fmt = lambda v: "n/a" if v != v else (f"{v:.4f}" if v < 1 else f"{v:.2f}")
rel = lambda a, b: "" if b != b or b == 0 else f"{a / b:.2f}x {base}"
print(f"| {name} | {fmt(t)} | {fmt(p)} | {'n/a' if p != p else f'{t / p:.2f}'} | {rel(t, tb)} | {rel(p, pb)} |")
PY
}
row "function f (x: 100)" "$f" "$pf" "$f" "$pf" "function"
row "gradient of f" "$fg" "$pfg" "$f" "$pf" "function"
row "jvp of f" "$(tx_ms f_jvp function_ms)" "$(pt_ms f_jvp)" "$f" "$pf" "function"
row "hvp of f" "$(tx_ms f_hvp function_ms)" "$(pt_ms f_hvp)" "$fg" "$pfg" "gradient"
row "jacfwd of g (100 x 100)" "$(tx_ms g_jacfwd function_ms)" "$(pt_ms g_jacfwd)" "$f" "$pf" "function"
row "jacrev of g (100 x 100)" "$(tx_ms g_jacrev function_ms)" "$(pt_ms g_jacrev)" "$f" "$pf" "function"
row "per-example gradients (vmap)" "$(tx_ms per_example function_ms)" "$(pt_ms per_example)" "$f" "$pf" "function"
row "per-example gradients of a Huber loss, an if (vmap)" "$(tx_ms huber_per_example function_ms)" "$(pt_ms huber_per_example)" "$f" "$pf" "function"
row "per-example gradients of a CNN (vmap)" "$(tx_ms cnn_per_example function_ms)" "$(pt_ms cnn_per_example)" "$f" "$pf" "function"
