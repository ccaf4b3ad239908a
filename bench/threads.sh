#!/usr/bin/env bash
# tx and PyTorch on 1 and 2 threads, side by side, for the cases whose time is mostly products
# (issue 15: "with 2 threads, at least 1.7x faster than with 1"). Prints a table; writes nothing.
# tx: `tx bench --threads N`; PyTorch: BENCH_THREADS=N (torch.set_num_threads and OPENBLAS_NUM_THREADS).
#
# usage: bench/threads.sh [CASE ...]   (default: matmul mlp attention gmm lstm ba)
# PYTHON (default /usr/bin/python3) names an interpreter that has torch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then cases=(matmul mlp attention gmm lstm ba); fi
declare -A fn=([elementwise]=f [mlp]=mlp [rosenbrock100]=rosen [matmul]=product_sum [rosenbrock1e6]=rosen [attention]=attn [lenet_conv1]=conv1 [lenet_conv2]=conv2 [gmm]=gmm [lstm]=lstm_objective [ba]=ba)
declare -A wrt=([elementwise]=x [mlp]=W1,b1,W2,b2 [rosenbrock100]=x [matmul]=a [rosenbrock1e6]=x [attention]=q,k,v [lenet_conv1]=w,b [lenet_conv2]=x,w,b [gmm]=alphas,means,icf [lstm]=main_params,extra_params [ba]=cams,X,w)

echo "| case | tx 1 thread | tx 2 threads | tx speed-up | PyTorch 1 thread | PyTorch 2 threads | PyTorch speed-up |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for c in "${cases[@]}"; do
    t1="$("$root/tx" bench "$root/bench/cases/$c.tx" --fn "${fn[$c]}" --wrt "${wrt[$c]}" --threads 1 --json | tail -1)"
    t2="$("$root/tx" bench "$root/bench/cases/$c.tx" --fn "${fn[$c]}" --wrt "${wrt[$c]}" --threads 2 --json | tail -1)"
    p1="$(BENCH_THREADS=1 "$python" "$root/bench/torch_twins.py" "$c" | tail -1)"
    p2="$(BENCH_THREADS=2 "$python" "$root/bench/torch_twins.py" "$c" | tail -1)"
    "$python" - "$c" "$t1" "$t2" "$p1" "$p2" <<'PY'
import json, sys
c, t1, t2, p1, p2 = sys.argv[1], *[json.loads(a)["gradient_ms"] for a in sys.argv[2:]]
f = lambda v: f"{v:.4f}" if v < 1 else f"{v:.2f}"
print(f"| {c} (value+grad, ms) | {f(t1)} | {f(t2)} | {t1 / t2:.2f}x | {f(p1)} | {f(p2)} | {p1 / p2:.2f}x |")
PY
done
