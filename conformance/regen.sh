#!/usr/bin/env bash
# Regenerates the expected outputs of the tx example and conformance programs from their PyTorch twins:
#   examples/**/NAME.py          -> examples/**/NAME.out
#   conformance/cases/NAME.py    -> conformance/cases/NAME.expected
#   conformance/pending/NAME.py  -> conformance/pending/NAME.expected (features not in tx yet; none now)
# Each expected file is exactly the twin's standard output. The twins need PyTorch with float64
# support (Debian's python3-torch 1.13 was used); this script installs nothing.
#
# usage: conformance/regen.sh [--check]
#   --check   write nothing; report every expected file that differs from what its twin prints now
#
# PYTHON (default /usr/bin/python3) names the interpreter that has torch.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
mode="write"
case "${1:-}" in
    "") ;;
    --check) mode="check" ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v "$python" >/dev/null 2>&1; then
    echo "regen.sh: no Python interpreter at '$python' (set PYTHON=/path/to/python3 to one that has torch)" >&2
    exit 1
fi
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "regen.sh: '$python' cannot import torch." >&2
    echo "  The twins need PyTorch (float64), e.g. Debian's python3-torch, or set PYTHON to an" >&2
    echo "  interpreter that has it. Nothing was regenerated; this script installs nothing." >&2
    exit 1
fi

failed=0
changed=0
count=0
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

regen() {  # regen TWIN.py EXPECTED
    local twin="$1" expected="$2"
    count=$((count + 1))
    if ! (cd "$(dirname "$twin")" && "$python" "$(basename "$twin")") >"$tmp" 2>"$tmp.err"; then
        echo "FAILED  ${twin#"$root"/}:" >&2
        sed 's/^/    /' "$tmp.err" >&2
        failed=$((failed + 1))
        rm -f "$tmp.err"
        return
    fi
    rm -f "$tmp.err"
    if [[ -f "$expected" ]] && cmp -s "$tmp" "$expected"; then
        return
    fi
    changed=$((changed + 1))
    if [[ "$mode" == "check" ]]; then
        echo "DIFFERS ${expected#"$root"/}"
        if [[ -f "$expected" ]]; then diff "$expected" "$tmp" | sed 's/^/    /' || true; fi
    else
        cp "$tmp" "$expected"
        echo "wrote   ${expected#"$root"/}"
    fi
}

while IFS= read -r twin; do
    regen "$twin" "${twin%.py}.out"
done < <(find "$root/examples" -name '*.py' -type f | sort)

while IFS= read -r twin; do
    regen "$twin" "${twin%.py}.expected"
done < <(for d in "$root/conformance/cases" "$root/conformance/pending"; do [ -d "$d" ] && find "$d" -name '*.py' ! -name '_*' -type f; done | sort)

echo "regen.sh: $count twins, $changed $([[ $mode == check ]] && echo differing || echo rewritten), $failed failed"
[[ $failed -eq 0 ]] && { [[ $mode == write ]] || [[ $changed -eq 0 ]]; }
