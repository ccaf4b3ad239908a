"""tx's gradients of ADBench's objectives against PyTorch's, at full precision.

Runs each conformance/cases/adbench_NAME.tx (the objective of bench/cases/NAME.tx at fixed inputs)
with `tx run`, made to save its value and gradients as .npy files, and its PyTorch twin
adbench_NAME.py in this process, and prints the largest relative difference of each gradient
(|tx - PyTorch| over the largest |PyTorch| of that gradient). The conformance suite, which
`mvn test` runs, compares the printed digits only.

usage: /usr/bin/python3 bench/adbench_agree.py
"""
import contextlib
import io
import os
import runpy
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = {"gmm": ["alphas", "means", "icf"], "lstm": ["main_params", "extra_params"], "ba": ["cams", "X", "w"]}


def tx_values(name, grads, out):
    source = open(os.path.join(ROOT, "conformance", "cases", f"adbench_{name}.tx")).read()
    saves = [f'save("{out}/loss.npy", loss.detach())'] + [f'save("{out}/{g}.npy", {g}.grad)' for g in grads]
    path = os.path.join(out, f"adbench_{name}.tx")
    with open(path, "w") as f:
        f.write(source + "\n" + "\n".join(saves) + "\n")
    subprocess.run([os.path.join(ROOT, "tx"), "run", path], check=True, stdout=subprocess.DEVNULL)
    return {g: np.load(os.path.join(out, f"{g}.npy")) for g in ["loss"] + grads}


def torch_values(name, grads):
    with contextlib.redirect_stdout(io.StringIO()):
        g = runpy.run_path(os.path.join(ROOT, "conformance", "cases", f"adbench_{name}.py"))
    return {"loss": g["loss"].detach().numpy(), **{k: g[k].grad.numpy() for k in grads}}


def main():
    worst = 0.0
    for name, grads in CASES.items():
        with tempfile.TemporaryDirectory() as out:
            tx, pt = tx_values(name, grads, out), torch_values(name, grads)
        parts = []
        for k in ["loss"] + grads:
            err = float(np.max(np.abs(tx[k] - pt[k])) / max(np.max(np.abs(pt[k])), 1e-300))
            worst = max(worst, err)
            parts.append(f"{k} {err:.1e}")
        print(f"{name}: largest relative difference, " + ", ".join(parts))
    return 0 if worst < 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
