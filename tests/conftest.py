"""Test-session configuration: float64, strict rank promotion, deterministic Hypothesis."""

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

from hypothesis import HealthCheck, settings  # noqa: E402

from w2s_theory.testing import RECORDED  # noqa: E402

# Derandomized: the same examples (hence the same fixed MC seeds) on every run and in CI.
settings.register_profile(
    "w2s",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("w2s")


def pytest_terminal_summary(terminalreporter):
    if RECORDED:
        worst = max(RECORDED, key=lambda a: abs(a.z))
        terminalreporter.write_line(
            f"MC-vs-theory: {len(RECORDED)} comparisons, largest |z| = {abs(worst.z):.2f} ({worst.label})"
        )
