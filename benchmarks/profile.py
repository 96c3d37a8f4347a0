"""Where a trial's time goes, kernel by kernel: run a Python statement twice (compile, then measure) under
JAX's profiler with XLA:CPU's per-kernel trace events on, and print the kernels by total time.

    .venv/bin/python benchmarks/profile.py \\
        "from w2s_theory import SubspaceModel; m = SubspaceModel.notebook()" \\
        "m.simulate(2000, 4000, trials=200, seed=0)"

Kernel names are XLA's (``dot_general``, ``cholesky``, ``*_fusion``; a trailing ``.N`` is dropped with
``--group``); control flow (``while``, ``cond``) is left out, since it contains the kernels. Not part of
the test suite; the statement runs with float64 on and the package's compiler options plus the trace events.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import tempfile
from pathlib import Path

import jax

CONTROL_FLOW = re.compile(r"^(while|cond|call|ThunkExecutor|PjitFunction|\$)")


def kernel_times(trace_dir: Path, group: bool) -> dict[str, tuple[int, float]]:
    """``{kernel: (calls, total microseconds)}`` from the Perfetto trace JAX's profiler wrote."""
    trace = next(trace_dir.rglob("*.trace.json.gz"))
    events = json.loads(gzip.decompress(trace.read_bytes()))
    events = events["traceEvents"] if isinstance(events, dict) else events
    out: dict[str, list] = collections.defaultdict(lambda: [0, 0.0])
    for e in events:
        if e.get("ph") != "X" or CONTROL_FLOW.match(e["name"]) or e["name"].startswith("np."):
            continue
        name = re.sub(r"[.\d]+$", "", e["name"]) if group else e["name"]
        out[name][0] += 1
        out[name][1] += e.get("dur", 0.0)
    return {k: (v[0], v[1]) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setup", help="statement run once, not profiled (imports, model)")
    parser.add_argument("statement", help="statement to profile (run once to compile, then profiled)")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--group", action="store_true", help="merge kernels that differ by a .N suffix")
    args = parser.parse_args()

    jax.config.update("jax_enable_x64", True)
    from w2s_theory import family

    family.COMPILER_OPTIONS = dict(family.COMPILER_OPTIONS) | {"xla_cpu_enable_xprof_traceme": True}
    scope: dict = {}
    exec(args.setup, scope)
    exec(args.statement, scope)  # compile
    with tempfile.TemporaryDirectory() as scratch:
        with jax.profiler.trace(scratch, create_perfetto_trace=True):
            exec(args.statement, scope)
        times = kernel_times(Path(scratch), args.group)
    total = sum(t for _, t in times.values())
    print(f"{'kernel':60s} {'calls':>7s} {'ms':>9s} {'share':>6s}")
    for name, (calls, t) in sorted(times.items(), key=lambda kv: -kv[1][1])[: args.top]:
        print(f"{name[:60]:60s} {calls:7d} {t / 1e3:9.2f} {100 * t / total:5.1f}%")


if __name__ == "__main__":
    main()
