"""Several processes as one: two local processes joined by ``jax.distributed.initialize`` (the way hosts of a
cluster are joined) give per-trial numbers bitwise identical to one process, for every family.

Each process is a fresh Python with 2 forced CPU devices, so the trial mesh spans 4 devices on 2 processes;
the driver lays each chunk's keys out over the global mesh and gathers every trial back to every process
(:mod:`w2s_theory._trials`). The families come from ``tests/test_conformance.py``'s ``CASES`` (a new row is
covered with no change here). Two processes compile every program at once on 2 cores, so the default run
checks the family that compiles fastest (the cross-process layout and gather do not depend on the family)
and the test marked ``slow`` checks all of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.test_conformance import CASES

PROCESSES = 2
DEVICES_PER_PROCESS = 2
#: Families checked in the default run: the one that compiles fastest (measured, in CPU seconds under
#: the same load: features 5 per process + 3 for this process's reference run, discrepancy-wishart 8 + 5).
DEFAULT_FAMILIES = ("features",)

_PROCESS_SCRIPT = textwrap.dedent(
    """
    import sys
    import jax
    import numpy as np

    out, tests, port, process_id, names = sys.argv[1:6]
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_cpu_collectives_implementation", "gloo")  # cross-process CPU collectives
    jax.distributed.initialize(
        coordinator_address=f"127.0.0.1:{port}",
        num_processes=int(sys.argv[6]),
        process_id=int(process_id),
        initialization_timeout=120,
    )
    sys.path.insert(0, tests)
    from test_conformance import CASES

    result = {
        "processes": np.array(jax.process_count()),
        "devices": np.array(jax.device_count()),
        "local_devices": np.array(jax.local_device_count()),
    }
    for name in names.split(","):
        c = CASES[name]
        for key, value in c.run(trials=c.trials, seed=42).items():
            result[f"{name}/{key}"] = value
    np.savez(out, **result)
    jax.distributed.shutdown()
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_processes(tmp_path: Path, names: list[str], timeout: float) -> list[dict[str, np.ndarray]]:
    """Start :data:`PROCESSES` processes on one coordinator, wait for all, return each one's results."""
    script = tmp_path / "process.py"
    script.write_text(_PROCESS_SCRIPT)
    env = os.environ | {"XLA_FLAGS": f"--xla_force_host_platform_device_count={DEVICES_PER_PROCESS}"}
    port, tests = str(_free_port()), os.path.dirname(__file__)
    outs = [tmp_path / f"process{i}.npz" for i in range(PROCESSES)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(out), tests, port, str(i), ",".join(names), str(PROCESSES)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i, out in enumerate(outs)
    ]
    try:
        logs = [p.communicate(timeout=timeout)[0] for p in procs]
    finally:
        for p in procs:
            p.kill()  # no-op for a process that has exited
    for i, (p, log) in enumerate(zip(procs, logs, strict=True)):
        assert p.returncode == 0, f"process {i} exited with {p.returncode}:\n{log[-3000:]}"
    return [dict(np.load(out)) for out in outs]


def _check(tmp_path: Path, names: list[str], timeout: float) -> None:
    results = _run_processes(tmp_path, names, timeout)
    for i, res in enumerate(results):
        assert int(res["processes"]) == PROCESSES, i
        assert int(res["local_devices"]) == DEVICES_PER_PROCESS, i
        assert int(res["devices"]) == PROCESSES * DEVICES_PER_PROCESS, i
    for name in names:
        c = CASES[name]
        one = c.run(trials=c.trials, seed=42)  # this process: one device
        assert set(c.family.outputs) <= set(one), name
        for key, value in one.items():
            for i, res in enumerate(results):  # every process holds every trial
                np.testing.assert_array_equal(
                    res[f"{name}/{key}"], value, err_msg=f"{name} {key} (process {i})"
                )


def test_two_processes_match_one_process(tmp_path):
    """The default run: one family on 2 processes x 2 devices, bitwise equal to one process."""
    _check(tmp_path, list(DEFAULT_FAMILIES), timeout=240)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_two_processes_match_one_process_for_every_family(tmp_path):
    """Every family of the conformance table on 2 processes x 2 devices, bitwise equal to one process."""
    _check(tmp_path, list(CASES), timeout=840)
