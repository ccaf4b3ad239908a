#!/usr/bin/env bash
# Runs every bench/cases/*.tx with `tx bench` and its PyTorch twin (bench/torch_twins.py) on this
# machine, one after the other, and writes the table into bench/README.md between the markers.
# It installs nothing: without PyTorch it says so and fills the PyTorch columns with "n/a".
# It writes bench/README.md only when PyTorch multiplies with an optimised BLAS (one 512x512 float64
# product on 1 thread in under 30 ms; about 6 ms with OpenBLAS): a PyTorch on the reference BLAS is
# not the peer users have, so its table is printed and the file is left as it is (exit status 3).
#
# usage: bench/run.sh [CASE ...]      (default: every case; with some cases only, the table is printed
#                                     and bench/README.md is left as it is)
# PYTHON (default /usr/bin/python3) names an interpreter that has torch.
# BENCH_CLOCK=cpu puts the medians of the calling thread's CPU time in the time columns instead of
# wall-clock time (steadier while other work shares the machine; both sides run on one thread).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
clock="${BENCH_CLOCK:-wall}"
case "$clock" in wall|cpu) ;; *) echo "run.sh: BENCH_CLOCK is '$clock'; it is wall or cpu" >&2; exit 2 ;; esac
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then cases=(elementwise mlp rosenbrock100 matmul rosenbrock1e6 attention lenet_conv1 lenet_conv2 gmm lstm ba); fi

declare -A fn=([elementwise]=f [mlp]=mlp [rosenbrock100]=rosen [matmul]=product_sum [rosenbrock1e6]=rosen [attention]=attn [lenet_conv1]=conv1 [lenet_conv2]=conv2 [gmm]=gmm [lstm]=lstm_objective [ba]=ba)
declare -A wrt=([elementwise]=x [mlp]=W1,b1,W2,b2 [rosenbrock100]=x [matmul]=a [rosenbrock1e6]=x [attention]=q,k,v [lenet_conv1]=w,b [lenet_conv2]=x,w,b [gmm]=alphas,means,icf [lstm]=main_params,extra_params [ba]=cams,X,w)

have_torch=1
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "run.sh: '$python' cannot import torch; the PyTorch columns will say n/a." >&2
    echo "  Debian: apt-get install python3-torch (this script installs nothing)" >&2
    have_torch=0
fi

rows=""
for c in "${cases[@]}"; do
    echo "run.sh: $c ..." >&2
    txj="$("$root/tx" bench "$root/bench/cases/$c.tx" --fn "${fn[$c]}" --wrt "${wrt[$c]}" --threads 1 --json | tail -1)"
    if [ $have_torch -eq 1 ]; then ptj="$("$python" "$root/bench/torch_twins.py" "$c" | tail -1)"; else ptj='{}'; fi
    rows+="$("$python" - "$c" "$txj" "$ptj" "$clock" <<'PY'
import json, sys
c, tx, pt, clock = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
def f(v): return "n/a" if v is None else (f"{v:.4f}" if v < 1 else f"{v:.2f}")
fk, gk = ("function_cpu_ms", "gradient_cpu_ms") if clock == "cpu" else ("function_ms", "gradient_ms")
tx["function_ms"], tx["gradient_ms"], tx["ratio"] = tx[fk], tx[gk], tx[gk] / tx[fk]
pf, pg = pt.get(fk), pt.get(gk)
ratio = lambda a, b: "n/a" if b is None else f"{a / b:.2f}"
mib = tx["peak_bytes"] / 2**20
pp = pt.get("peak_bytes")
pmib = "n/a" if pp is None else f"{pp / 2**20:.2f}"
print(f"| {c} | {f(tx['function_ms'])} | {f(tx['gradient_ms'])} | {tx['ratio']:.2f} | {f(pf)} | {f(pg)} | {ratio(tx['function_ms'], pf)} | {ratio(tx['gradient_ms'], pg)} | {mib:.2f} | {pmib} |")
PY
)"$'\n'
done

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)"
torchv="$([ $have_torch -eq 1 ] && "$python" -c 'import torch; print("PyTorch", torch.__version__, "(1 thread)")' || echo "no PyTorch")"
blas="$(ldconfig -p 2>/dev/null | grep -o 'libopenblas[^ ]*' | head -1 || true)"
clock_note=""
if [ "$clock" = cpu ]; then
    clock_note=" of the CPU time of the calling thread (BENCH_CLOCK=cpu); load averages (1, 5, 15 minutes) $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
fi
table="Measured $(date -u +%Y-%m-%d) on $machine; $torchv; system BLAS: ${blas:-no OpenBLAS found by ldconfig} (tx: $([ "${TX_BLAS:-}" = native ] && echo "TX_BLAS=native" || echo "its own GEMM, no BLAS"), 1 thread).
Times are medians in ms (float64)$clock_note. \"tx/PT\" is tx's time over PyTorch's: below 1, tx is faster.

| case | tx function | tx value+grad | tx grad/function | PyTorch function | PyTorch value+grad | tx/PT function | tx/PT value+grad | tx peak MiB | PyTorch peak MiB (estimate) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$rows"
if [ $# -gt 0 ]; then
    printf '%s\n' "$table"
    exit 0
fi
matmul_ms="$([ $have_torch -eq 1 ] && "$python" -c '
import time, torch
torch.set_num_threads(1); a = torch.randn(512, 512, dtype=torch.float64); a @ a
t = time.perf_counter(); a @ a; print(int((time.perf_counter() - t) * 1000))' 2>/dev/null || echo "")"
if [ -z "$matmul_ms" ] || [ "$matmul_ms" -gt 30 ]; then
    printf '%s\n' "$table"
    echo "run.sh: bench/README.md left as it is: PyTorch here ${matmul_ms:+takes $matmul_ms ms for one 512x512 float64 matmul on 1 thread, so it }has no optimised BLAS" >&2
    echo "  (about 6 ms with OpenBLAS: apt-get install libopenblas0-pthread; this script installs nothing)" >&2
    exit 3
fi
"$python" - "$root/bench/README.md" "$table" <<'PY'
import sys, re
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
start, end = "<!-- table: bench/run.sh writes between these markers -->", "<!-- end of table -->"
new = start + "\n" + table.rstrip("\n") + "\n" + end
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: new, text, flags=re.S) if start in text else text.rstrip("\n") + "\n\n" + new + "\n"
open(path, "w").write(text)
PY
echo "run.sh: wrote the table into bench/README.md" >&2
