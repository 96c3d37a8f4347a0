"""Where `make figures` spends its time: each registered figure's wall time in this process, and the part of
it spent compiling (JAX's tracing, lowering and XLA backend compile, from JAX's own duration events).

    .venv/bin/python benchmarks/figure_profile.py              # every figure, one after another
    .venv/bin/python benchmarks/figure_profile.py --part 0/2   # every second figure from the first
    .venv/bin/python benchmarks/figure_profile.py --part 1/2   # (run both at once: two processes, as the CLI does)

Prints one line per figure and, with ``--out``, writes ``{name: [seconds, compile_seconds]}`` as JSON. Like
`make figures`: float64, one BLAS thread, caches off, full-size figures; the PNGs are not written.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import jax
import matplotlib
from jax._src import monitoring
from threadpoolctl import threadpool_limits

COMPILE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/jaxpr_to_mlir_module_duration",
    "/jax/core/compile/backend_compile_duration",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", default="0/1", help="I/K: run every K-th figure starting from the I-th")
    parser.add_argument("--out", type=Path, help="write the seconds per figure here (JSON)")
    args = parser.parse_args()
    index, parts = (int(v) for v in args.part.split("/"))
    if not 0 <= index < parts:
        parser.error(f"--part must be I/K with 0 <= I < K, got {args.part!r}")

    jax.config.update("jax_enable_x64", True)
    threadpool_limits(limits=1, user_api="blas")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from w2s_theory.figures.registry import Mode, figure, figure_names

    compile_seconds = [0.0]

    def listen(event: str, seconds: float, **_: object) -> None:
        if event in COMPILE_EVENTS:
            compile_seconds[0] += seconds

    monitoring.register_event_duration_secs_listener(listen)
    results: dict[str, list[float]] = {}
    for name in figure_names()[index::parts]:
        compile_seconds[0] = 0.0
        start = time.perf_counter()
        figure(name).make(Mode(fast=False))
        plt.close("all")
        results[name] = [round(time.perf_counter() - start, 1), round(compile_seconds[0], 1)]
        print(
            f"{name:32s} {results[name][0]:6.1f} s, of which compiling {results[name][1]:5.1f} s", flush=True
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
