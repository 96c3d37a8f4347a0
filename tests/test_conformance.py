"""One conformance suite for every theory family (the way optax's ``alias_test.py`` covers every optimiser).

Each row of :data:`CASES` names a family and how to run it through its public ``simulate``; every test
below runs on every row. A new family gets all of it by adding one row:

* bitwise-identical results for any chunk size, for a prefix of the trials, for ``seed`` vs ``key(seed)``,
  and on 1 vs 4 devices (a subprocess with 4 forced host devices);
* no recompilation across a sweep of traced parameters (the public :func:`w2s_theory.family.trace_count`);
* every output the family declares, float64 and finite;
* float64 required (a fresh process without x64 gets an actionable error);
* bad ``trials`` / ``seed`` / ``chunk_size`` rejected with an error naming the parameter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import jax
import numpy as np
import pytest

from w2s_theory import SpuriousModel, SubspaceModel
from w2s_theory.blend import BlendModel
from w2s_theory.blend.family import FAMILY as BLEND
from w2s_theory.discrepancy.family import FAMILY as DISCREPANCY
from w2s_theory.family import Family, trace_count
from w2s_theory.features import FeatureModel
from w2s_theory.features.family import FAMILY as FEATURES
from w2s_theory.filtering import FilterSettings, TwoStageFilter
from w2s_theory.filtering.family import FAMILY as FILTERING
from w2s_theory.filtering.groups import FAMILY as FILTERING_GROUPS
from w2s_theory.filtering.groups import simulate_groups
from w2s_theory.gcm import GaussianCovariateModel, Rotated
from w2s_theory.gcm.family import FAMILY as GCM
from w2s_theory.multiteacher import MultiTeacherModel
from w2s_theory.multiteacher.family import FAMILY as MULTITEACHER
from w2s_theory.remedy import simulate_enhanced
from w2s_theory.remedy.enhanced import FAMILY as REMEDY
from w2s_theory.remedy.experiments import Setting
from w2s_theory.rgr import RGRModel
from w2s_theory.rgr.family import FAMILY as RGR
from w2s_theory.rounds import RoundsModel
from w2s_theory.rounds.family import FAMILY as ROUNDS
from w2s_theory.spurious.family import FAMILY as SPURIOUS
from w2s_theory.spurious.simulate import simulate_moments

Run = Callable[..., dict[str, np.ndarray]]


@dataclass(frozen=True)
class Case:
    """A family, a run of its public simulate (``run(trials=, seed=, chunk_size=)``) and runs with other
    values of its traced parameters at the same shapes (``sweep``)."""

    family: Family
    run: Run
    sweep: tuple[Run, ...]
    trials: int = 6
    chunk_sizes: tuple[int, ...] = (1, 4)


def _subspace(angles=(0.3, 1.0), sigma2=0.5) -> SubspaceModel:
    return SubspaceModel.from_principal_angles(
        list(angles), d_w=6, d_s=4, sigma2=sigma2, beta=np.linspace(-1, 1, 10)
    )


def _discrepancy_case(engine: str) -> Case:
    def run(model=None, n=14, N=9, **kw):
        return (model or _subspace()).simulate(n, N, engine=engine, **kw)

    sweep = [lambda **kw: run(_subspace(sigma2=2.0), **kw), lambda **kw: run(_subspace((1.2, 0.1)), **kw)]
    if engine == "wishart":  # sample sizes are traced too: same factor rows min(n, r), min(N, d_s)
        sweep.append(lambda **kw: run(n=40, N=200, **kw))
    return Case(DISCREPANCY, run, tuple(sweep))


def _spurious_run(model=None, eta_l=0.1, eta_u=0.3, **kw):
    return (model or SpuriousModel.canonical(8, c=0.3, m=2.0)).simulate(200, 150, eta_l, eta_u, 0.5, **kw)


def _spurious_curve_run(model=None, eta_l=0.1, eta_us=(0.0, 0.3, 1.0), group_model="soft", **kw):
    """A curve in eta_u (teacher fitted once; student Grams expanded in the group shift)."""
    model = model or SpuriousModel.canonical(8, c=0.3, m=2.0, group_model=group_model)
    return simulate_moments(model, 200, 150, eta_l, np.array(eta_us), **kw)


_REMEDY = Setting(d_z=10, n=200, N=500, trials=40)  # the figures' fast setting (shared compiled program)


def _remedy_run(eta_l=0.1, eta_u=0.5, q=0.7, **kw):
    task = _REMEDY.task()
    return simulate_enhanced(
        task, n=_REMEDY.n, N=_REMEDY.N, eta_l=eta_l, eta_u=eta_u, eta_t=0.5, p=0.5, q=q, **kw
    )


def _gcm_model(sigma2=0.3, seed=2) -> GaussianCovariateModel:
    """a=1.5, b=1, d=16; weak top-4 coordinates, strong a random 6-dim subspace of the top-12 (dense)."""
    return GaussianCovariateModel.power_law(
        1.5, 1.0, 16, range(1, 5), Rotated(6, 12), sigma2=sigma2, seed=seed
    )


def _gcm_run(model=None, n=40, N=48, lam_w=1e-2, lam_s=1e-1, **kw):
    return (model or _gcm_model()).simulate(n, N, lam_w=lam_w, lam_s=lam_s, **kw)


def _features_model(sigma2=1.0, rotate=False) -> FeatureModel:
    rng = np.random.default_rng(0)
    F_s = rng.standard_normal((300, 5)) * np.array([3.0, 2.0, 1.0, 0.7, 0.5])
    if rotate:
        F_w = F_s @ np.linalg.qr(rng.standard_normal((5, 5)))[0]
    else:
        F_w = F_s[:, :3] @ rng.standard_normal((3, 5)) + 0.5 * rng.standard_normal((300, 5))
    target = F_s @ np.array([1.0, -1.0, 0.5, 0.0, 2.0]) + np.sin(F_s[:, 0])
    return FeatureModel.from_features(F_w, F_s, target, sigma2, 5, 5)


def _features_run(model=None, **kw):
    return (model or _features_model()).simulate(12, 9, **kw)


def _rounds_model(sigma2=0.5, seed=0) -> RoundsModel:
    """Two teachers (d_k = 2, 3) and a student (d_s = 4) in rotated frames of R^10 (r = 10 for any seed)."""
    rng = np.random.default_rng(seed)
    frames = [np.linalg.qr(rng.standard_normal((10, d)))[0] for d in (2, 3)]
    return RoundsModel(frames, np.linalg.qr(rng.standard_normal((10, 4)))[0], rng.standard_normal(10), sigma2)


def _rounds_run(model=None, lam=0.5, q_pos=0.5, **kw):
    return (model or _rounds_model()).simulate(8, 12, 2, lam, rule="pos_unf", q_pos=q_pos, **kw)


def _filtering_model(sigma2=0.5, angles=(0.3, 1.0)) -> SubspaceModel:
    return SubspaceModel.from_principal_angles(
        list(angles), d_w=4, d_s=5, sigma2=sigma2, beta=np.linspace(-1, 1, 9)
    )


#: kept counts round(0.2 * 16) = 3 < d_s = 5: the minimum-norm branch is compiled and run
_FILTER_SETTINGS = FilterSettings(
    scores=("leverage", "bootstrap", "oracle", "random"), q=(0.2, 1.0), n_boot=3
)


def _filtering_run(model=None, settings=_FILTER_SETTINGS, **kw):
    return TwoStageFilter(model or _filtering_model(), settings).simulate(12, 16, **kw)


_HARD_GROUPS = SpuriousModel.canonical(4, c=0.3, m=2.0, group_model="hard")


def _filtering_groups_run(model=_HARD_GROUPS, eta_l=0.1, eta_u=0.5, **kw):
    return simulate_groups(model, 40, 40, eta_l, eta_u, (0.6, 1.0), **kw)


def _multiteacher_model(sigma2=0.5, tilt=0.6) -> MultiTeacherModel:
    """Two teachers at general angles (3 and 4 dims) and a 4-dim student in R^10."""
    rng = np.random.default_rng(0)
    V_s = np.linalg.qr(rng.standard_normal((10, 4)))[0]
    teachers = tuple(
        np.linalg.qr(
            np.cos(tilt) * np.eye(10)[:, k : k + d] + np.sin(tilt) * rng.standard_normal((10, d)) / 3
        )[0]
        for k, d in ((0, 3), (2, 4))
    )
    return MultiTeacherModel(V_s, teachers, np.linspace(-1, 1, 10), sigma2)


def _multiteacher_run(model=None, n=(8, 9), N=12, labels="disjoint", **kw):
    return (model or _multiteacher_model()).simulate(list(n), N, labels=labels, **kw)


def _blend_model(sigma2=0.5, student_only=1.0) -> BlendModel:
    """c=2, a=4, b=3 commuting blocks with signal outside both spans (r = 10 in every sweep)."""
    return BlendModel.blocks(
        2, 4, 3, sigma2, shared=0.7, student_only=student_only, teacher_only=1.0, outside=0.5
    )


def _blend_run(model=None, n=14, w=0.5, N=0, **kw):
    return (model or _blend_model()).simulate(n, w=w, N=N, **kw)


def _subspace_rgr(angles=(0.3, 1.0), sigma2=0.5) -> RGRModel:
    return RGRModel.from_principal_angles(
        list(angles), d_w=6, d_s=4, sigma2=sigma2, beta=np.linspace(-1, 1, 10)
    )


def _rgr_run(model=None, n=14, N=9, **kw):
    return (model or _subspace_rgr()).simulate(n, N, **kw)


CASES: dict[str, Case] = {
    "discrepancy-wishart": _discrepancy_case("wishart"),
    "discrepancy-design": _discrepancy_case("design"),
    "spurious": Case(
        SPURIOUS,
        _spurious_run,
        (
            lambda **kw: _spurious_run(eta_l=0.4, eta_u=0.9, **kw),
            lambda **kw: _spurious_run(SpuriousModel.canonical(8, c=0.7, m=1.0, m4=3.0, sigma_xi2=2.0), **kw),
        ),
    ),
    **{
        f"spurious-curve-{gm}": Case(
            SPURIOUS,
            partial(_spurious_curve_run, group_model=gm),
            (
                partial(_spurious_curve_run, eta_l=0.4, eta_us=(0.9, 0.5, 0.2), group_model=gm),
                partial(
                    _spurious_curve_run,
                    SpuriousModel.canonical(8, c=0.7, m=1.0, m4=3.0, sigma_xi2=2.0, group_model=gm),
                ),
            ),
        )
        for gm in ("soft", "hard")
    },
    "gcm": Case(
        GCM,
        _gcm_run,
        (
            lambda **kw: _gcm_run(lam_w=0.5, lam_s=0.0, **kw),  # penalties (0: min-norm) are traced
            lambda **kw: _gcm_run(_gcm_model(sigma2=2.0, seed=5), **kw),  # other moments, same ranks
            lambda **kw: _gcm_run(n=60, N=90, **kw),  # sample sizes are traced (n, N >= r = 32)
        ),
    ),
    "features": Case(
        FEATURES,
        _features_run,
        (
            lambda **kw: _features_run(_features_model(sigma2=3.0), **kw),
            lambda **kw: _features_run(_features_model(rotate=True), **kw),
        ),
    ),
    "remedy": Case(
        REMEDY,
        _remedy_run,
        (
            lambda **kw: _remedy_run(eta_l=0.3, eta_u=0.2, q=0.4, **kw),
            lambda **kw: _remedy_run(init="scratch", pseudolabels="student", **kw),  # traced flags
        ),
        chunk_sizes=(4,),
    ),
    "rounds": Case(
        ROUNDS,
        _rounds_run,
        (
            lambda **kw: _rounds_run(lam=0.0, q_pos=0.8, **kw),  # anchor weight and quantiles are traced
            lambda **kw: _rounds_run(_rounds_model(sigma2=2.0, seed=1), **kw),  # other frames, same shapes
        ),
    ),
    "filtering": Case(
        FILTERING,
        _filtering_run,
        (
            lambda **kw: _filtering_run(_filtering_model(sigma2=2.0), **kw),
            lambda **kw: _filtering_run(_filtering_model(angles=(1.2, 0.1)), **kw),
            # keep fractions are traced (same regime: a kept set smaller than d_s)
            lambda **kw: _filtering_run(
                settings=FilterSettings(_FILTER_SETTINGS.scores, (0.25, 0.9), n_boot=3), **kw
            ),
        ),
    ),
    "filtering-groups": Case(
        FILTERING_GROUPS,
        _filtering_groups_run,
        (
            lambda **kw: _filtering_groups_run(eta_l=0.4, eta_u=0.2, **kw),
            lambda **kw: _filtering_groups_run(
                SpuriousModel.canonical(4, c=0.7, m=1.0, m4=2.0, group_model="hard"), **kw
            ),
        ),
    ),
    "multiteacher": Case(
        MULTITEACHER,
        _multiteacher_run,
        (
            lambda **kw: _multiteacher_run(_multiteacher_model(sigma2=2.0), **kw),
            lambda **kw: _multiteacher_run(_multiteacher_model(tilt=0.2), **kw),  # other angles
            lambda **kw: _multiteacher_run(n=(30, 40), N=50, **kw),  # sizes are traced
        ),
    ),
    "multiteacher-shared": Case(
        MULTITEACHER,
        lambda **kw: _multiteacher_run(n=(12, 12), labels="shared", **kw),
        (lambda **kw: _multiteacher_run(_multiteacher_model(sigma2=2.0), n=(12, 12), labels="shared", **kw),),
    ),
    "blend": Case(
        BLEND,
        _blend_run,
        (
            lambda **kw: _blend_run(_blend_model(sigma2=2.0, student_only=0.3), **kw),  # other moments
            lambda **kw: _blend_run(w=-0.4, n=30, **kw),  # the weight and n (>= r = 10) are traced
        ),
    ),
    "blend-pseudo-labels": Case(
        BLEND,
        lambda **kw: _blend_run(N=12, **kw),
        (lambda **kw: _blend_run(N=200, w=0.9, **kw),),  # N (>= r) is traced
    ),
    "rgr": Case(
        RGR,
        _rgr_run,
        (
            lambda **kw: _rgr_run(_subspace_rgr(sigma2=2.0), **kw),
            lambda **kw: _rgr_run(_subspace_rgr((1.2, 0.1)), **kw),
            lambda **kw: _rgr_run(n=40, N=200, **kw),  # same factor rows min(n, r), min(N, d_s)
        ),
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request) -> tuple[str, Case, dict[str, np.ndarray]]:
    c = CASES[request.param]
    return request.param, c, c.run(trials=c.trials, seed=42)


def test_every_declared_output_is_float64_and_finite(case):
    name, c, ref = case
    assert set(c.family.outputs) <= set(ref), name
    for key in c.family.outputs:
        assert ref[key].dtype == np.float64 and ref[key].shape[0] == c.trials, key
        assert np.all(np.isfinite(ref[key])), key


def test_bitwise_identical_for_any_chunk_size_prefix_and_key(case):
    name, c, ref = case
    runs = {f"chunk_size={k}": c.run(trials=c.trials, seed=42, chunk_size=k) for k in c.chunk_sizes}
    runs["key(42)"] = c.run(trials=c.trials, seed=jax.random.key(42))
    for label, other in runs.items():
        for key in ref:
            np.testing.assert_array_equal(other[key], ref[key], err_msg=f"{name} {label} {key}")
    prefix = c.run(trials=c.chunk_sizes[-1], seed=42)
    for key in ref:
        np.testing.assert_array_equal(
            prefix[key], ref[key][: c.chunk_sizes[-1]], err_msg=f"{name} prefix {key}"
        )
    other_seed = c.run(trials=c.trials, seed=43)
    assert not np.array_equal(other_seed[c.family.outputs[0]], ref[c.family.outputs[0]])


def test_sweeping_traced_parameters_never_recompiles(case):
    name, c, ref = case
    before = trace_count(c.family)
    assert before > 0  # the counter sees the compilation of the fixture's run
    for run in c.sweep:
        out = run(trials=c.trials, seed=7)
        assert not np.array_equal(out[c.family.outputs[0]], ref[c.family.outputs[0]])
    assert trace_count(c.family) == before, f"{name}: a traced parameter recompiled the trial"


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(trials=0), ValueError, r"trials must be an integer >= 1, got 0"),
        (dict(trials=2.5), TypeError, r"trials must be an integer"),
        (dict(trials=3, seed=2.7), TypeError, r"seed must be an integer in \[0, 2\*\*63\).*2\.7"),
        (dict(trials=3, seed=True), TypeError, r"seed must be an integer.*True"),
        (dict(trials=3, seed=None), TypeError, r"seed must be an integer.*None"),
        (
            dict(trials=3, seed=2**70),
            ValueError,
            r"seed must be an integer in \[0, 2\*\*63\), got 1180591620717411303424",
        ),
        (dict(trials=3, seed=-1), ValueError, r"seed must be an integer in \[0, 2\*\*63\), got -1"),
        (dict(trials=3, chunk_size=0), ValueError, r"chunk_size must be an integer >= 1, got 0"),
    ],
)
def test_bad_driver_inputs_are_rejected_naming_the_parameter(name, kwargs, error, match):
    with pytest.raises(error, match=match):
        CASES[name].run(**{"seed": 0} | kwargs)


_DEVICE_SCRIPT = textwrap.dedent(
    """
    import sys, jax, numpy as np
    jax.config.update("jax_enable_x64", True)
    sys.path.insert(0, sys.argv[2])
    from test_conformance import CASES
    out = {"devices": np.array(jax.device_count())}
    for name, c in CASES.items():
        for key, value in c.run(trials=c.trials, seed=42, chunk_size=c.trials).items():
            out[f"{name}/{key}"] = value
    np.savez(sys.argv[1], **out)
    """
)


def test_identical_per_trial_numbers_on_1_and_4_devices(tmp_path):
    """Every family's trial axis sharded over 4 forced host devices (a subprocess): each chunk of 6 trials
    is padded to 8 = 2 per device, and every per-trial number equals this process's 1-device run."""
    assert jax.device_count() == 1
    script, path = tmp_path / "run.py", tmp_path / "four.npz"
    script.write_text(_DEVICE_SCRIPT)
    env = os.environ | {"XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    subprocess.run(
        [sys.executable, str(script), str(path), os.path.dirname(__file__)], env=env, check=True, timeout=280
    )
    four = np.load(path)
    assert int(four["devices"]) == 4
    for name, c in CASES.items():
        one = c.run(trials=c.trials, seed=42, chunk_size=c.trials)
        for key, value in one.items():
            np.testing.assert_array_equal(value, four[f"{name}/{key}"], err_msg=f"{name} {key}")


_X64_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from test_conformance import CASES
    for name, c in CASES.items():
        try:
            c.run(trials=2, seed=0)
        except RuntimeError as err:
            print(name, "float64" in str(err) and "jax_enable_x64" in str(err))
        else:
            print(name, "ran in float32")
    """
)


def test_float64_is_required():
    """In a fresh process: flipping jax_enable_x64 inside this session corrupts JAX's lowering caches."""
    out = subprocess.run(
        [sys.executable, "-c", _X64_SCRIPT, os.path.dirname(__file__)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.split() == [word for name in CASES for word in (name, "True")], out.stdout + out.stderr


def test_compiler_options_leave_out_what_the_installed_xla_rejects(monkeypatch):
    """Every trial program gets :data:`~w2s_theory.family.COMPILER_OPTIONS`; an option this ``jaxlib`` does
    not know is dropped rather than failing every simulation."""
    import w2s_theory.family as family

    assert family.compiler_options() == dict(family.COMPILER_OPTIONS)  # this jaxlib knows them all
    monkeypatch.setattr(
        family, "COMPILER_OPTIONS", {"xla_no_such_option_anywhere": 1, "xla_backend_optimization_level": 1}
    )
    family.compiler_options.cache_clear()
    try:
        assert family.compiler_options() == {"xla_backend_optimization_level": 1}
    finally:
        monkeypatch.undo()
        family.compiler_options.cache_clear()
    assert family.compiler_options() == dict(family.COMPILER_OPTIONS)


def test_trial_keys_derived_in_the_program_are_the_split_keys():
    """The driver derives trial ``i``'s key inside the compiled program as ``fold_in(key, i)``; that is
    ``split(key, trials)[i]`` for every trial count (JAX's partitionable threefry), so the documented keys
    hold and a longer run extends a shorter one."""
    from w2s_theory._random import trial_key, trial_keys

    indices = np.array([0, 1, 2, 7, 999, 999_999], dtype=np.uint32)
    derived = jax.jit(jax.vmap(trial_key, in_axes=(None, 0)))(jax.random.key(42), indices)
    for trials in (1000, 10**6):
        split = jax.random.key_data(trial_keys(42, trials)[indices[indices < trials]])
        assert np.array_equal(jax.random.key_data(derived)[indices < trials], split)


def test_integer_seeds_give_jax_random_key():
    """``as_key`` makes threefry's seed words on the host instead of compiling ``jax.random.key``'s
    program; the key is the same for seeds across both 32-bit words and at the ends of the range."""
    from w2s_theory._random import SEED_LIMIT, as_key

    for seed in (0, 1, 42, 2**31, 2**32 - 1, 2**32, 2**32 + 7, 12345678901234, SEED_LIMIT - 1, np.int64(9)):
        key = as_key(seed)
        assert jax.random.key_impl(key) == jax.random.key_impl(jax.random.key(0))
        assert np.array_equal(jax.random.key_data(key), jax.random.key_data(jax.random.key(int(seed))))


@pytest.mark.parametrize("shape", [(1000, 20), (37, 3), (67_843,), (5,), (7, 1), ()])
def test_normal_draws_computed_once_are_the_same_bits(shape):
    """``_random.normal`` draws through the straight-line hash and multiplies the draws by an identity
    matrix so XLA:CPU stores them before a broadcasting consumer reads them; the values must be
    ``jax.random.normal``'s, bit for bit, for every shape (rows of 8 entries and a remainder, or nothing to
    do), inside a broadcast product too."""
    from w2s_theory._random import normal

    key = jax.random.key(3)
    direct = jax.jit(lambda k: jax.random.normal(k, shape))(key)
    once = jax.jit(lambda k: normal(k, shape))(key)
    assert np.array_equal(np.asarray(direct), np.asarray(once))
    h = jax.numpy.arange(1.0, 5.0)
    kron = lambda z: (z[..., None] * h[(None,) * z.ndim]).reshape(*z.shape[:-1], -1) if z.ndim else z * h
    fused = jax.jit(lambda k: kron(jax.random.normal(k, shape)))(key)
    assert np.array_equal(np.asarray(fused), np.asarray(jax.jit(lambda k: kron(normal(k, shape)))(key)))


#: JAX's PRNG interface: split, fold-in and random bits of every width (every other draw is built on them)
_DRAWS = {
    "split": lambda k: jax.random.key_data(jax.random.split(k, (2, 3))),
    "fold_in": lambda k: jax.random.key_data(jax.random.fold_in(k, 123_456)),
    "normal": lambda k: jax.random.normal(k, (7, 3)),
    "normal scalar": lambda k: jax.random.normal(k, ()),
    "uniform odd size": lambda k: jax.random.uniform(k, (1001,)),
    "bits 8": lambda k: jax.random.bits(k, (5,), dtype=np.uint8),
    "bits 16": lambda k: jax.random.bits(k, (5,), dtype=np.uint16),
    "bits 64": lambda k: jax.random.bits(k, (4, 2), dtype=np.uint64),
}


def test_unrolled_threefry_draws_the_same_bits():
    """``_random.unrolled`` swaps JAX's CPU Threefry loop for straight-line code; every kind of draw must
    give ``jax.random``'s bits for per-trial keys, compiled under ``lax.map`` (as the driver runs trials)
    and under ``vmap``."""
    from w2s_theory._random import unrolled

    keys = jax.random.split(jax.random.key(2**40 + 3), 3)
    assert jax.random.key_impl(unrolled(keys[0])) != jax.random.key_impl(keys[0])
    assert jax.random.key_impl(unrolled(jax.random.key(0, impl="rbg"))) == "rbg"  # other PRNGs: untouched
    every = lambda k: {name: f(k) for name, f in _DRAWS.items()}
    direct = jax.jit(jax.vmap(every))(keys)
    mapped = jax.jit(lambda k: jax.lax.map(lambda x: every(unrolled(x)), k))(keys)
    batched = jax.jit(jax.vmap(lambda k: every(unrolled(k))))(keys)
    for name in _DRAWS:
        np.testing.assert_array_equal(direct[name], mapped[name], err_msg=name)
        np.testing.assert_array_equal(direct[name], batched[name], err_msg=name)


def test_unrolled_impl_is_built_from_jax_extends_definitions():
    """``unrolled_impl`` takes ``define_prng_impl`` and ``threefry_prng_impl`` from JAX's own modules
    (importing ``jax.extend`` imports Pallas): they must be the objects ``jax.extend.random`` exports."""
    import jax.extend.random as public

    from w2s_theory._random import _prng_definitions, unrolled_impl

    define_prng_impl, threefry_prng_impl = _prng_definitions()
    assert define_prng_impl is public.define_prng_impl
    assert threefry_prng_impl is public.threefry_prng_impl
    key = jax.random.wrap_key_data(np.array([0, 7], np.uint32), impl=unrolled_impl())
    np.testing.assert_array_equal(jax.random.normal(key, (5,)), jax.random.normal(jax.random.key(7), (5,)))


def test_families_with_the_unrolled_hash_give_the_rolled_hash_numbers(monkeypatch):
    """A family that draws through the unrolled hash (``unrolled_rng``) gives, bit for bit, the numbers
    of JAX's own Threefry: each such family's conformance run, recompiled with the key left alone."""
    import w2s_theory.family as driver

    first = {}  # one case per family
    for name, c in CASES.items():
        if c.family.unrolled_rng:
            first.setdefault(c.family.name, name)
    assert "multiteacher" in first
    names = list(first.values())
    fast = {name: CASES[name].run(trials=CASES[name].trials, seed=5) for name in names}
    # a fresh program cache for the rolled programs; the original cache comes back untouched afterwards
    monkeypatch.setattr(driver, "_compiled", lru_cache(maxsize=None)(driver._compiled.__wrapped__))
    monkeypatch.setattr(driver, "unrolled", lambda key: key)
    for name in names:
        rolled = CASES[name].run(trials=CASES[name].trials, seed=5)
        for key in fast[name]:
            np.testing.assert_array_equal(fast[name][key], rolled[key], err_msg=f"{name} {key}")


@pytest.mark.parametrize("trials", [1, 7, 59, 60, 61, 200, 4000, 10**6])
@pytest.mark.parametrize("fit", [1, 7, 60, 256])
def test_default_chunks_are_the_fewest_calls_filled_evenly(trials, fit):
    """The default chunk never exceeds what fits in memory, needs no more calls than that size would, and
    pads fewer than one trial per call (200 trials fitting 60 at a time: 4 calls of 50)."""
    from w2s_theory.family import CHUNK_MEMORY_BYTES, MAX_CHUNK, chunk_size_for

    limit = min(fit, MAX_CHUNK, trials)
    chunk = chunk_size_for(CHUNK_MEMORY_BYTES // fit, trials)
    calls = -(-trials // chunk)
    assert 1 <= chunk <= limit
    assert calls == -(-trials // limit)
    assert calls * chunk - trials < calls
    if (trials, fit) == (200, 60):
        assert (calls, chunk) == (4, 50)
