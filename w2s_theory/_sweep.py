"""Sweeps that lose nothing: per-point storage written atomically as each point finishes, and resume.

A sweep is a list of *points* (JSON-able parameter dicts) and an ``evaluate(params, key)`` function that
returns a dict of numpy arrays. Each point's key is
``fold_in(key(seed), crc32(canonical_json(params)))``: a point's numbers depend only on the seed and its
own parameters, not on its position in the grid, the other points, the order, chunking or devices. So a
resumed sweep, a sweep with points added, and a figure sharing points with another figure all reuse the
same stored results.

Storage: ``<store>/<digest>.npz`` where ``digest`` hashes (params, seed, version); the params are stored
inside the file too and checked on load. Files are written to a temporary name
(``.tmp-<pid>-<random>-<name>``) and ``os.replace``-d (:func:`atomic_open`), so a killed run leaves
either a complete point or none.

Concurrency: a run holds an exclusive lock on its store for its whole duration
(:func:`lock_directory`, an ``flock`` on ``<store>/.lock``), so a second run on the same store fails
fast with :class:`DirectoryLockedError` naming the holder instead of computing everything again. Only
the lock holder writes into a locked directory, so once it holds the lock every ``.tmp-*`` file there
was left by a killed writer and is removed (:func:`remove_temp_files`); a live run's temporary files are
never touched. The kernel releases an ``flock`` when its process dies, so a run killed with SIGKILL
leaves no stale lock: the next run acquires it and resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import jax
import numpy as np
from tqdm.auto import tqdm

from w2s_theory._random import Seed, as_key

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX (Windows): lock_directory raises a clear error
    fcntl = None  # type: ignore[assignment]

#: Bump when the meaning of stored results changes, so old stores are not silently reused.
STORE_VERSION = 1

#: Name of the lock file inside a locked directory.
LOCK_NAME = ".lock"
#: Prefix of temporary files (followed by the writer's PID): never a complete result.
TEMP_PREFIX = ".tmp-"

Params = Mapping[str, Any]
Evaluate = Callable[[Params, jax.Array], Mapping[str, np.ndarray]]


class DirectoryLockedError(RuntimeError):
    """A directory is locked by another process (or by another lock in this one).

    Attributes
    ----------
    directory : Path
        The locked directory.
    pid : int or None
        PID of the holder, if it could be read from the lock file.
    host : str or None
        Host name of the holder, if it could be read from the lock file.
    """

    def __init__(self, directory: Path, pid: int | None, host: str | None) -> None:
        self.directory, self.pid, self.host = directory, pid, host
        if pid is None:
            holder = "another process (its PID is not recorded yet)"
        else:
            here = host == socket.gethostname()
            holder = f"process {pid} on {host}" + (" (this process)" if here and pid == os.getpid() else "")
        super().__init__(
            f"{directory} is locked by {holder}, which is running a sweep into it; wait for it to finish "
            f"or choose another directory (lock file {directory / LOCK_NAME})"
        )

    def __reduce__(self) -> tuple[type, tuple[Path, int | None, str | None]]:  # picklable across processes
        return type(self), (self.directory, self.pid, self.host)


def _read_holder(fd: int) -> tuple[int | None, str | None]:
    try:
        pid, host = os.pread(fd, 4096, 0).decode().split(maxsplit=1)
        return int(pid), host.strip()
    except (OSError, ValueError):  # not written yet, or unreadable
        return None, None


@contextmanager
def lock_directory(directory: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``directory`` (created if missing) for the duration of a ``with``.

    The lock is an ``flock`` on ``<directory>/.lock``, which records the holder's PID and host name. It
    does not wait: if another process holds it, :class:`DirectoryLockedError` is raised at once. The
    kernel releases the lock when the holder dies, even by SIGKILL, so a killed run never blocks the
    next one. The lock file is removed on a normal release. Locks are per open file: a second
    ``lock_directory`` on the same directory in the same process also raises.

    Parameters
    ----------
    directory : Path
        The directory to lock.

    Returns
    -------
    Iterator[Path]
        A context manager yielding the path of the lock file.

    Raises
    ------
    DirectoryLockedError
        If another holder has the lock.
    OSError
        If the platform has no ``flock`` (not POSIX) or the lock file cannot be created.
    """
    if fcntl is None:  # pragma: no cover
        raise OSError(f"cannot lock {directory}: directory locks need fcntl.flock (POSIX)")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, host = _read_holder(fd)
            os.close(fd)
            raise DirectoryLockedError(directory, pid, host) from None
        except BaseException:
            os.close(fd)
            raise
        # A releasing holder unlinks the file before unlocking: if we locked an unlinked file, retry.
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        opened = os.fstat(fd)
        if current is not None and (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        yield path
    finally:
        path.unlink(missing_ok=True)  # while still locked, so nobody holds a lock on a removed file
        os.close(fd)


def remove_temp_files(directory: Path) -> int:
    """Remove the temporary files (``.tmp-*``) in ``directory``; call only while holding its lock.

    Only the holder of :func:`lock_directory` writes into a locked directory, so after acquiring the
    lock every temporary file there was left by a killed writer and never holds a complete result.

    Parameters
    ----------
    directory : Path
        A directory locked by this process; a missing directory holds nothing.

    Returns
    -------
    int
        The number of files removed.
    """
    removed = 0
    for stale in Path(directory).glob(f"{TEMP_PREFIX}*"):
        stale.unlink(missing_ok=True)
        removed += 1
    return removed


@contextmanager
def atomic_open(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it appears complete or not at all.

    Writes go to ``.tmp-<pid>-<random>-<name>`` in the same directory, which is flushed, fsync-ed and
    ``os.replace``-d onto ``path`` when the ``with`` block exits normally; on an exception (including
    KeyboardInterrupt) it is removed and ``path`` is left as it was. The file gets the usual
    permissions (``0o666`` less the umask). A drop-in for ``open(path, "w", newline="")``::

        with atomic_open(path, newline="") as f:
            csv.writer(f).writerow(...)

    Parameters
    ----------
    path : Path
        The final file; its directory must exist.
    mode : str
        ``"w"`` (text) or ``"wb"`` (binary).
    **kwargs
        Passed to :func:`open` (``encoding``, ``newline``, ...).

    Returns
    -------
    Iterator[IO]
        A context manager yielding the open temporary file.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    while True:
        tmp = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{path.name}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:  # pragma: no cover - a 32-bit random collision
            continue
    try:
        try:
            f = open(fd, mode, **kwargs)
        except BaseException:
            os.close(fd)
            raise
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_open`).

    Parameters
    ----------
    path : Path
        The final file; its directory must exist.
    text : str
        The whole content.
    encoding : str
        Text encoding.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return Path(path)


def canonical_json(params: Params) -> str:
    """Deterministic JSON of a point (sorted keys, floats via repr)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"sweep parameters must be JSON-serialisable, got {type(value).__name__}")


def point_key(seed: Seed, params: Params) -> jax.Array:
    """The PRNG key of one sweep point: a function of the seed and the point's own parameters only."""
    return jax.random.fold_in(as_key(seed), zlib.crc32(canonical_json(params).encode()) & 0x7FFFFFFF)


def _digest(params: Params, seed: int) -> str:
    blob = json.dumps({"params": canonical_json(params), "seed": seed, "version": STORE_VERSION})
    return hashlib.sha1(blob.encode()).hexdigest()[:20]


def _load(path: Path, params: Params) -> dict[str, np.ndarray] | None:
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            if str(f["__params__"]) != canonical_json(params):
                return None
            return {k: f[k] for k in f.files if k != "__params__"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # missing or truncated: recompute
        return None


def _save_atomic(path: Path, params: Params, result: Mapping[str, np.ndarray]) -> None:
    with atomic_open(path, "wb") as f:
        np.savez(
            f,
            __params__=np.array(canonical_json(params)),
            **{k: np.asarray(v) for k, v in result.items()},
        )


def count_stored(points: Sequence[Params], *, seed: int, store: Path) -> int:
    """How many of ``points`` have a stored result in ``store`` (cheap: file existence only).

    Parameters
    ----------
    points : Sequence[Params]
        The sweep's points.
    seed : int
        The sweep's seed.
    store : Path
        The sweep's store; a missing directory holds nothing.

    Returns
    -------
    int
        The number of points a resumed run would load instead of compute (a truncated file, which
        only a disk failure leaves, is counted here and recomputed on resume).
    """
    return sum((Path(store) / f"{_digest(p, seed)}.npz").is_file() for p in points)


def stack_points(results: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """The results of several points computed together (a curve on the same trials) as one sweep result:
    each output stacked along a new last axis, one entry per point (:func:`unstack_points` inverts it)."""
    return {name: np.stack([np.asarray(r[name]) for r in results], axis=-1) for name in results[0]}


def unstack_points(result: Mapping[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """The per-point results of a :func:`stack_points` result, in order."""
    points = next(iter(result.values())).shape[-1]
    return [{name: value[..., j] for name, value in result.items()} for j in range(points)]


def run_sweep(
    points: Sequence[Params],
    evaluate: Evaluate,
    *,
    seed: int = 0,
    store: Path | None = None,
    desc: str = "sweep",
    progress: bool = True,
) -> list[dict[str, np.ndarray]]:
    """Evaluate every point (reusing stored results), with a progress bar and ETA.

    With ``store`` set, the store is locked for the whole run (:func:`lock_directory`), each finished
    point is written atomically before the next starts, and points already stored with identical
    parameters and seed are loaded instead of recomputed (resume). A point listed twice is computed once
    (its numbers depend on its parameters and the seed only, :func:`point_key`).

    Parameters
    ----------
    points : Sequence[Params]
        JSON-able parameter dicts.
    evaluate : Evaluate
        ``evaluate(params, key)`` -> dict of arrays.
    seed : int
        Seed of the per-point keys (:func:`point_key`).
    store : Path or None
        Directory of per-point results; ``None`` stores nothing.
    desc : str
        Label of the progress bar.
    progress : bool
        Show the progress bar.

    Returns
    -------
    list[dict[str, np.ndarray]]
        One result per point, in the order of ``points``.

    Raises
    ------
    DirectoryLockedError
        If another run holds the lock on ``store``; nothing is computed.
    """
    if store is None:
        return _run(points, evaluate, seed, None, desc, progress)
    with lock_directory(store):
        remove_temp_files(store)  # we hold the lock: these were left by killed runs
        return _run(points, evaluate, seed, Path(store), desc, progress)


def _run(
    points: Sequence[Params], evaluate: Evaluate, seed: int, store: Path | None, desc: str, progress: bool
) -> list[dict[str, np.ndarray]]:
    results: list[dict[str, np.ndarray] | None] = [None] * len(points)
    todo = []
    for i, params in enumerate(points):
        if store is not None:
            results[i] = _load(store / f"{_digest(params, seed)}.npz", params)
        if results[i] is None:
            todo.append(i)
    bar = tqdm(total=len(points), initial=len(points) - len(todo), desc=desc, disable=not progress, unit="pt")
    computed: dict[str, dict[str, np.ndarray]] = {}  # a point listed twice is computed once
    try:
        for i in todo:
            digest = _digest(points[i], seed)
            if digest in computed:
                results[i] = {k: v.copy() for k, v in computed[digest].items()}
            else:
                out = {k: np.asarray(v) for k, v in evaluate(points[i], point_key(seed, points[i])).items()}
                if store is not None:
                    _save_atomic(store / f"{digest}.npz", points[i], out)
                results[i] = computed[digest] = out
            bar.update(1)
    finally:
        bar.close()
    return [r for r in results if r is not None]
