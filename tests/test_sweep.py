"""The sweep runner: per-point keys, atomic storage, resume after SIGKILL or Ctrl-C, the store lock,
config validation."""

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from w2s_theory._sweep import (
    LOCK_NAME,
    DirectoryLockedError,
    atomic_open,
    atomic_write_text,
    lock_directory,
    point_key,
    run_sweep,
    stack_points,
    unstack_points,
)
from w2s_theory.spurious import SpuriousModel
from w2s_theory.sweep import ConfigError, parse_config, run

CONFIG = """
seed = 3
trials = 40
[model]
kind = "coordinate"
d_w = 6
d_s = 4
d_sw = 2
sigma2 = 1.0
[grid]
n = [12, 20, 30, 45]
N = [30, 60]
sigma2 = [0.5, 1.0]
"""


def _load_points(directory: Path) -> dict[str, dict[str, np.ndarray]]:
    out = {}
    for path in sorted((directory / "points").glob("[!.]*.npz")):  # finished points, not temp files
        with np.load(path) as f:
            out[str(f["__params__"])] = {k: f[k] for k in f.files}
    return out


def test_point_results_depend_only_on_seed_and_own_params(tmp_path):
    calls = []

    def evaluate(params, key):
        calls.append(params["a"])
        return {"x": np.asarray(jax_uniform(key))}

    pts = [{"a": 1}, {"a": 2}, {"a": 3}]
    full = run_sweep(pts, evaluate, seed=7, store=tmp_path, progress=False)
    reordered = run_sweep(pts[::-1], evaluate, seed=7, store=None, progress=False)
    assert [r["x"] for r in full] == [r["x"] for r in reordered[::-1]]
    calls.clear()
    again = run_sweep(pts + [{"a": 4}], evaluate, seed=7, store=tmp_path, progress=False)
    assert calls == [4]  # only the new point is computed; the rest are loaded
    assert [r["x"] for r in again[:3]] == [r["x"] for r in full]


@pytest.mark.parametrize("store", [None, "dir"])
def test_a_point_listed_twice_is_computed_once(tmp_path, store):
    """Equal parameters (in any key order) mean equal numbers, so the runner evaluates them once and
    returns an independent copy for each listing."""
    calls = []

    def evaluate(params, key):
        calls.append(params["a"])
        return {"x": np.atleast_1d(np.asarray(jax_uniform(key)))}

    pts = [{"a": 1, "b": 0}, {"a": 2, "b": 0}, {"b": 0, "a": 1}]
    out = run_sweep(pts, evaluate, seed=3, store=store and tmp_path, progress=False)
    assert calls == [1, 2]
    np.testing.assert_array_equal(out[0]["x"], out[2]["x"])
    assert out[0]["x"] is not out[2]["x"]
    single = run_sweep(pts[2:], evaluate, seed=3, store=None, progress=False)
    np.testing.assert_array_equal(single[0]["x"], out[2]["x"])


def jax_uniform(key):
    import jax

    return jax.random.uniform(key)


def test_truncated_point_file_is_recomputed(tmp_path):
    pts = [{"a": 1}]
    run_sweep(pts, lambda p, k: {"x": np.ones(3)}, store=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(path.read_bytes()[:20])
    out = run_sweep(pts, lambda p, k: {"x": np.zeros(3)}, store=tmp_path, progress=False)
    np.testing.assert_array_equal(out[0]["x"], np.zeros(3))


def test_point_key_is_order_free():
    assert np.array_equal(
        np.asarray(jax_uniform(point_key(0, {"b": 2, "a": 1}))),
        np.asarray(jax_uniform(point_key(0, {"a": 1, "b": 2}))),
    )


def _cli(*args):
    return [sys.executable, "-m", "w2s_theory.cli", "sweep", *args]


@pytest.mark.timeout(240)
def test_sweep_killed_with_sigkill_resumes_to_identical_results(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(CONFIG)
    subprocess.run(_cli(str(cfg), "--out", str(tmp_path / "clean")), check=True, capture_output=True)
    clean = _load_points(tmp_path / "clean")
    assert len(clean) == 16

    proc = subprocess.Popen(_cli(str(cfg), "--out", str(tmp_path / "killed")), stderr=subprocess.DEVNULL)
    points = tmp_path / "killed" / "points"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(points.glob("[!.]*.npz")) if points.exists() else []) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(points.glob("[!.]*.npz")))
    assert 3 <= done < 16, f"kill landed after {done} points"

    refused = subprocess.run(
        _cli(str(cfg), "--out", str(tmp_path / "killed")), capture_output=True, text=True
    )
    assert refused.returncode != 0 and "--resume" in refused.stderr + refused.stdout
    subprocess.run(
        _cli(str(cfg), "--out", str(tmp_path / "killed"), "--resume"), check=True, capture_output=True
    )
    resumed = _load_points(tmp_path / "killed")
    assert resumed.keys() == clean.keys()
    assert not list(points.glob(".tmp-*"))  # the resume cleared what the kill left half-written
    for k in clean:
        for name in clean[k]:
            np.testing.assert_array_equal(resumed[k][name], clean[k][name])
    assert (tmp_path / "killed" / "summary.csv").read_text() == (
        tmp_path / "clean" / "summary.csv"
    ).read_text()


BASE = {"seed": 0, "trials": 5, "model": {"kind": "coordinate", "d_w": 3, "d_s": 2, "d_sw": 1, "sigma2": 1.0},
        "grid": {"n": [10], "N": [10]}}  # fmt: skip


@pytest.mark.parametrize(
    "patch,match",
    [
        ({"trails": 5}, "unknown top-level key 'trails'"),
        ({"trials": 1}, "trials must be an integer >= 2"),
        ({"model": {"kind": "torch"}}, "model.kind must be one of"),
        (
            {"model": {"kind": "coordinate", "d_w": 3, "d_s": 2, "d_sw": 1, "sigma": 1.0}},
            "model.sigma is not",
        ),
        ({"grid": {"n": [10]}}, "grid.N is required"),
        ({"grid": {"n": [10], "N": []}}, "grid.N must be a non-empty list"),
        ({"grid": {"n": [10.5], "N": [10]}}, "grid.n must hold integers"),
        ({"grid": {"n": [10], "N": [10], "doff": [1]}}, "grid.doff is neither"),
        ({"grid": {"n": [10], "N": [10], "sigma2": [-1.0]}}, "sigma2 must be a finite number >= 0"),
    ],
)
def test_malformed_config_is_rejected_naming_the_key(patch, match):
    with pytest.raises(ConfigError, match=match):
        parse_config(BASE | patch)


def test_malformed_config_rejected_by_cli_before_work(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(CONFIG.replace("N = [30, 60]", "N = [30, 0]"))
    res = subprocess.run(_cli(str(cfg), "--out", str(tmp_path / "o")), capture_output=True, text=True)
    assert res.returncode != 0 and "grid.N" in res.stderr + res.stdout
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------ atomic files and the lock
def test_atomic_open_leaves_the_old_file_on_error_and_names_temp_files_by_pid(tmp_path):
    path = tmp_path / "summary.csv"
    atomic_write_text(path, "old\n")
    with pytest.raises(RuntimeError, match="boom"), atomic_open(path, newline="") as f:
        f.write("half of the new")
        (tmp,) = tmp_path.glob(".tmp-*")
        assert tmp.name.startswith(f".tmp-{os.getpid()}-") and tmp.name.endswith("-summary.csv")
        raise RuntimeError("boom")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]  # the temp file is gone
    atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0o600
    with pytest.raises(ValueError, match="mode must be 'w' or 'wb', got 'a'"):
        atomic_open(path, "a").__enter__()


def test_lock_directory_is_exclusive_and_removed_on_release(tmp_path):
    store = tmp_path / "new" / "store"
    with lock_directory(store) as lock:
        assert lock == store / LOCK_NAME and lock.read_text().split()[0] == str(os.getpid())
        with pytest.raises(DirectoryLockedError, match=rf"{re.escape(str(store))} is locked by process "
                           rf"{os.getpid()} on .* \(this process\)") as info:  # fmt: skip
            with lock_directory(store):
                pass
        assert info.value.pid == os.getpid() and info.value.directory == store
        with pytest.raises(DirectoryLockedError):  # a sweep on a locked store computes nothing
            run_sweep([{"a": 1}], lambda p, k: pytest.fail("computed on a locked store"), store=store)
    assert not lock.exists()
    with lock_directory(store):  # released: can be taken again
        pass


# A sweep of 3 points whose second point writes a temporary file (as np.savez would) and then hangs,
# holding the store's lock, until it is killed.
HOLDER = """
import os, sys, time
from pathlib import Path
import numpy as np
from w2s_theory._sweep import run_sweep
store = Path(sys.argv[1])
def evaluate(params, key):
    if params["a"] == 2:
        (store / f".tmp-{os.getpid()}-inflight-x.npz").write_bytes(b"half a point")
        print("ready", flush=True)
        time.sleep(120)
    return {"x": np.full(2, float(params["a"]))}
run_sweep([{"a": 1}, {"a": 2}, {"a": 3}], evaluate, store=store, progress=False)
"""

# Holds the lock on a directory until it is killed.
LOCKER = """
import sys, time
from w2s_theory._sweep import lock_directory
with lock_directory(sys.argv[1]):
    print("ready", flush=True)
    time.sleep(120)
"""


@contextmanager
def _running(script: str, directory: Path) -> Iterator[subprocess.Popen]:
    """A Python process running ``script`` on ``directory``, once it printed "ready"; killed on exit."""
    with subprocess.Popen(
        [sys.executable, "-c", script, str(directory)], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
            yield proc
        finally:
            proc.kill()


@pytest.mark.timeout(60)
def test_second_sweep_on_a_live_store_fails_fast_and_keeps_its_temp_files(tmp_path):
    calls = []

    def evaluate(params, key):
        calls.append(params["a"])
        return {"x": np.zeros(2)}

    with _running(HOLDER, tmp_path) as holder:
        inflight = tmp_path / f".tmp-{holder.pid}-inflight-x.npz"
        assert inflight.exists()
        with pytest.raises(DirectoryLockedError, match=rf"{re.escape(str(tmp_path))} is locked by process "
                           rf"{holder.pid} on ") as info:  # fmt: skip
            run_sweep([{"a": 1}, {"a": 2}, {"a": 3}], evaluate, store=tmp_path, progress=False)
        assert info.value.pid == holder.pid
        assert calls == []  # nothing computed
        assert inflight.read_bytes() == b"half a point"  # the live sweep's temp file is untouched


@pytest.mark.timeout(60)
def test_sweep_killed_while_holding_the_lock_is_resumed(tmp_path):
    with _running(HOLDER, tmp_path) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert (tmp_path / LOCK_NAME).exists()  # SIGKILL left the lock file, but the kernel dropped the lock
    calls = []

    def evaluate(params, key):
        calls.append(params["a"])
        return {"x": np.full(2, float(params["a"]))}

    out = run_sweep([{"a": 1}, {"a": 2}, {"a": 3}], evaluate, store=tmp_path, progress=False)
    assert calls == [2, 3]  # point 1, stored before the kill, is loaded
    for a, r in zip([1, 2, 3], out, strict=True):
        np.testing.assert_array_equal(r["x"], np.full(2, float(a)))
    assert not list(tmp_path.glob(".tmp-*"))  # the killed writer's temp file is removed
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.mark.timeout(60)
def test_cli_sweep_into_a_locked_out_fails_fast_naming_the_holder(tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(CONFIG)
    out = tmp_path / "out"
    with _running(LOCKER, out) as holder:
        res = subprocess.run(_cli(str(cfg), "--out", str(out)), capture_output=True, text=True, timeout=50)
    assert res.returncode == 1
    assert f"{out} is locked by process {holder.pid} on " in res.stderr
    assert not (out / "points").exists()  # nothing computed


@contextmanager
def _sigint_deliverable():
    """While starting a child: SIGINT unblocked (and not ignored) in this thread, as in a terminal. A child
    inherits its parent's signal mask and ignored signals, and a test worker that ran other tests may have
    SIGINT blocked: twice in full parallel runs the sweep below then ran to its end, the interrupt never
    delivered. (Not a ``preexec_fn``: forking a process that runs JAX is unsafe.)"""
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.timeout(60)
def test_cli_ctrl_c_says_how_many_points_are_stored_and_how_to_resume(tmp_path):
    cfg = tmp_path / "cfg.toml"
    # points of about a second each, so the interrupt lands mid-sweep however fast compilation is (with
    # 40 trials the whole sweep took about a second after its first point)
    cfg.write_text(CONFIG.replace("trials = 40\n", "trials = 40000\n"))
    out = tmp_path / "out"
    points = out / "points"
    with _sigint_deliverable():
        proc = subprocess.Popen(_cli(str(cfg), "--out", str(out)), stderr=subprocess.PIPE, text=True)
    with proc:
        try:
            deadline = time.time() + 40
            while time.time() < deadline and not (points.exists() and list(points.glob("[!.]*.npz"))):
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=15)
        finally:
            proc.kill()
    done = len(list(points.glob("[!.]*.npz")))
    assert proc.returncode == 130, err
    assert 1 <= done < 16, f"Ctrl-C landed after {done} points"
    assert (
        f"interrupted: {done} of 16 points are stored in {out}; run the same command with --resume "
        "to continue" in err
    )
    assert not list(points.glob(".tmp-*")) and not list(out.rglob(LOCK_NAME))  # cleaned up on the way out


# ------------------------------------------------------------------------------ every family sweeps
def _summary(tmp_path: Path, raw: dict) -> dict[str, str]:
    out = run(parse_config(raw), tmp_path / "out", resume=False, progress=False).read_text().splitlines()
    return dict(zip(out[0].split(","), out[1].split(","), strict=True))


def test_subspace_summary_has_both_ratio_estimators_exact_values_and_invariants(tmp_path):
    raw = {"trials": 6, "model": {"kind": "coordinate", "d_w": 4, "d_s": 3, "d_sw": 2, "sigma2": 1.0},
           "grid": {"n": [20], "N": [30]}}  # fmt: skip
    row = _summary(tmp_path, raw)
    for column in ("pgr_ratio_of_means", "pgr_ratio_of_means_se", "pgr_mean_of_ratios", "pgr_mean_of_ratios_se",
                   "pgr_exact", "opr_ratio_of_means", "opr_exact", "d_sw", "rho_w", "rho_s", "w2s_exact"):  # fmt: skip
        assert row[column] != "", column
    assert float(row["d_sw"]) == 2.0 and row["engine"] == "wishart"
    design = _summary(tmp_path / "d", raw | {"engine": "design"})
    assert design["engine"] == "design" and design["w2s_mc"] != row["w2s_mc"]  # another engine, same law


def test_spurious_kinds_sweep_with_their_own_risks_and_no_pgr(tmp_path):
    raw = {"trials": 3, "model": {"kind": "spurious_canonical", "d_z": 4, "c": 0.3},
           "grid": {"n": [60], "N": [50], "eta_l": [0.1], "eta_u": [0.4], "eta_t": [0.5]}}  # fmt: skip
    row = _summary(tmp_path, raw)
    assert float(row["gain_exact"]) == pytest.approx(
        SpuriousModel.canonical(4, c=0.3).expected_risks(60, 50, 0.1, 0.4, 0.5)["gain"], rel=1e-12
    )
    assert float(row["xi2"]) == pytest.approx(0.3) and not any(k.startswith("pgr") for k in row)


@pytest.mark.parametrize(
    "raw,match",
    [
        ({"engine": "bartlett", "model": {"kind": "coordinate", "d_w": 3, "d_s": 2, "d_sw": 1, "sigma2": 1.0},
          "grid": {"n": [10], "N": [10]}}, "engine must be one of"),
        ({"model": {"kind": "spurious_canonical", "d_z": 4}, "grid": {"n": [60], "N": [50]}}, "grid.eta_l is required"),
        ({"model": {"kind": "remedy", "d_z": 4, "head": "svm"},
          "grid": {"n": [60], "N": [50], "eta_l": [0.1], "eta_u": [0.4], "eta_t": [0.5], "p": [0.5], "q": [0.7]}},
         "model.head must be one of"),
        ({"model": {"kind": "remedy", "d_z": 4},
          "grid": {"n": [60], "N": [50], "eta_l": [0.1], "eta_u": [0.4], "eta_t": [0.5], "p": [0.5], "q": [1.7]}},
         "q must lie in"),
    ],
)  # fmt: skip
def test_family_specific_config_errors_name_the_key(raw, match):
    with pytest.raises(ConfigError, match=match):
        parse_config(raw)


def test_remedy_kind_parses_into_points_with_its_options():
    cfg = parse_config({"trials": 4, "model": {"kind": "remedy", "d_z": 4},
                        "grid": {"n": [60], "N": [50], "eta_l": [0.1], "eta_u": [0.4, 0.5], "eta_t": [0.5],
                                 "p": [0.5], "q": [0.7], "head": ["squares", "logistic"]}})  # fmt: skip
    assert len(cfg.points) == 4 and {p["head"] for p in cfg.points} == {"squares", "logistic"}


_DEVICES_SCRIPT = """
import jax
from w2s_theory.cli import _init_process
_init_process(3)
print(jax.device_count())
"""


@pytest.mark.parametrize("env,expected", [({}, "3"), ({"JAX_NUM_CPU_DEVICES": "1"}, "1")])
def test_cli_processes_split_the_cpu_into_devices_unless_the_user_chose(env, expected):
    """``reproduce --devices N`` gives each figure process N CPU devices (trials side by side, same bits:
    the conformance suite's 1-vs-4-device test); a count the user set in the environment wins."""
    clean = {k: v for k, v in os.environ.items() if k != "JAX_NUM_CPU_DEVICES" and k != "XLA_FLAGS"}
    out = subprocess.run(
        [sys.executable, "-c", _DEVICES_SCRIPT], env=clean | env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[-1] == expected


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent PID from ``/proc/PID/stat``; ``None`` once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie."""
    stat = _state_and_parent(pid)
    return stat is not None and stat[0] != "Z"


def _figure_workers(cli: int) -> list[int]:
    """Live ``multiprocessing`` spawn workers whose parent is the CLI process ``cli``."""
    workers = []
    for entry in Path("/proc").iterdir():
        stat = _state_and_parent(int(entry.name)) if entry.name.isdigit() else None
        if stat is None or stat[1] != cli or stat[0] == "Z":
            continue
        try:
            if b"spawn_main" in (entry / "cmdline").read_bytes():
                workers.append(int(entry.name))
        except OSError:
            continue
    return workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.timeout(180)
def test_reproduce_workers_end_when_the_cli_is_terminated(tmp_path):
    """``reproduce all --jobs 2`` computes figures in worker processes; SIGTERM to the CLI process (which
    ends it without cleanup) must end them too, not leave them computing for minutes."""
    cmd = [sys.executable, "-m", "w2s_theory.cli", "reproduce", "all", "--fast", "--no-cache"]
    cli = subprocess.Popen(
        [*cmd, "--jobs", "2", "--devices", "1", "--out", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and cli.poll() is None:
        workers = _figure_workers(cli.pid)
        time.sleep(0.2)
    assert len(workers) == 2, "the CLI did not start its two figure workers"
    try:
        time.sleep(2)  # the workers are past their initializer and computing
        cli.send_signal(signal.SIGTERM)
        cli.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)], "figure workers outlived the terminated CLI"
    finally:  # never leave a worker running into the rest of the suite
        for pid in [cli.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_points_of_a_curve_are_stored_stacked_and_come_back_in_order(tmp_path):
    """A curve's per-point results go into one stored sweep result (stacked along a last axis) and come
    back as the same per-point arrays, also after a resume from the store."""
    points = [{"a": np.arange(4.0) + j, "b": np.full((4, 2), j)} for j in range(3)]
    evaluate = lambda params, key: stack_points(points)
    for _ in range(2):  # computed, then loaded from the store
        (stored,) = run_sweep([{"curve": 1}], evaluate, store=tmp_path, progress=False)
        assert stored["a"].shape == (4, 3) and stored["b"].shape == (4, 2, 3)
        for original, back in zip(points, unstack_points(stored), strict=True):
            assert back.keys() == original.keys()
            for name in original:
                np.testing.assert_array_equal(back[name], original[name])
