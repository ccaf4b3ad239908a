#!/usr/bin/env bash
# How tx's compile time grows with program size: scripts of N statements ending in a backward, and
# the same chain as a function written out by `tx grad`, on a warm JVM (see CompileScaling.java).
# usage: bench/compile_scaling.sh [N ...]     (default: 1000 10000 100000)
#        bench/compile_scaling.sh --calls [L ...]   call trees of L levels (default: 10 20 40 80)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tx" help > /dev/null   # builds the jars if they are missing or stale
exec java -Xss512m -Xmx4g --add-modules jdk.incubator.vector -cp "$root/compiler/target/tx-compiler-0.1.0-SNAPSHOT.jar:$root/compiler/target/lib/*" \
  tx.compiler.cli.CompileScaling "$@" 2> >(grep -v '^WARNING: Using incubator modules' >&2)
