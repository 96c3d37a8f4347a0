# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Intrinsic dimension as a spectrum: weak-to-strong ridge regression with any feature covariance
#
# The weak teacher and the strong student of Dong et al. (ICML 2025) learn from jointly Gaussian features
# with *any* covariances, by ridge regression. Their intrinsic dimensions become effective dimensions
# $\mathrm{df}_2$ at the effective regularisation $\kappa$ set by the sample size and the penalty, and their
# overlap becomes $d_{sw}=\operatorname{tr}(\Sigma_{ws}\Sigma_{ss}^+\Sigma_{sw}K_w)$ (the sum of squared
# canonical correlations when ridgeless). This notebook only *calls* `w2s_theory`: the scalar forms are
# derived in `w2s_theory.symbolic.gcm`, the deterministic equivalents are `w2s_theory.gcm.theory`, the Monte
# Carlo is `w2s_theory.gcm.simulate`; the theory is written up in `docs/theory/general_covariance.md`.
#
# **`W2S_FAST=1`** (the test suite sets it) runs everything small enough for CI, in about 20 s: the
# registered figures in their fast mode (a latent space of 100 instead of 400-500 coordinates, 3-point
# grids, 250 trials), the single-point check at the same small size, and coarse theory grids. Unset, the
# notebook runs the full-size figures and a 2000-trial check (minutes).

# %%
import jax

jax.config.update("jax_enable_x64", True)  # the library needs float64; before any other JAX use

import os

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Math, display

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.figures import Mode, figure
from w2s_theory.gcm import GaussianCovariateModel, overlapping_coordinates
from w2s_theory.metrics import mean_se
from w2s_theory.symbolic import gcm as derivation

FAST = os.environ.get("W2S_FAST") == "1"
MODE = Mode(fast=FAST, cache_dir=None, progress=False)

# %matplotlib inline

# %% [markdown]
# ## The derived scalar forms
# One ridge fit, $\mathbb E\,\mathrm{ER}\approx\rho+B+\tau\,\mathrm{df}_2$ with
# $\tau=(\sigma^2+\rho+B)/(m-\mathrm{df}_2-f)$, and the W2S student: its mean part (the teacher's mean
# function, re-fitted by the student) plus its variance part $\tau_w[d_{sw}^{\to}+\nu_s(d_w-d_{sw}^{+})]$
# (`docs/theory/general_covariance.md` §2–§4). `derivation.self_checks()` runs the symbolic checks (the
# reductions to the exact isotropic forms, the ridgeless limits of $\kappa$); the test suite asserts them.

# %%
tex = derivation.latex()
for name in ["er_ridge", "w2s_mean", "w2s_variance", "kappa_isotropic"]:
    print(name)
    display(Math(tex[name]))

# %% [markdown]
# ## Exact where it must be
# Ridgeless and under-parameterised, the deterministic equivalent *is* the exact finite-sample expectation
# of the isotropic subspace model (Dong et al. 2025), to rounding:

# %%
sub = SubspaceModel.from_principal_angles(
    [0.3, 0.8, 1.2], d_w=10, d_s=7, sigma2=0.5, beta=np.linspace(-1, 1, 20)
)
exact = sub.expected_risks(60, 40)
de = GaussianCovariateModel.from_subspace_model(sub).expected_risks(60, 40)
for key in ("weak", "strong", "ceiling", "w2s", "pgr", "opr"):
    print(f"{key:8s} exact {exact[key]:.12f}  GCM {de[key]:.12f}")

# %% [markdown]
# ## One point: deterministic equivalent vs Monte Carlo
# A power law $\Sigma=\mathrm{diag}(k^{-1.5})$, $\beta_k=k^{-1}$; the weak learner sees the top coordinates,
# the strong learner half of them plus others; ridge on both.

# %%
if FAST:
    d, p_w, p_s, k, n, N, trials = 100, 12, 40, 6, 64, 800, 250
else:
    d, p_w, p_s, k, n, N, trials = 500, 60, 200, 30, 200, 1000, 2000
model = GaussianCovariateModel.power_law(1.5, 1.0, d, *overlapping_coordinates(p_w, p_s, k), sigma2=0.2)
lam = 1e-3
de = model.expected_risks(n, N, lam, lam)
mc = model.simulate(n, N, trials=trials, seed=0, lam_w=lam, lam_s=lam, chunk_size=250)
for key in ("weak", "strong", "ceiling", "w2s"):
    est = mean_se(mc[key])
    print(f"{key:8s} DE {de[key]:.4e}  MC {est.value:.4e} ± {est.se:.1e}")
print({key: round(de[key], 3) for key in ("d_w", "d_s", "d_sw", "d_sw_to", "d_sw_plus", "nu_s")})

# %% [markdown]
# ## The registered figures
# Risks and PGR/OPR vs $n$ and $N$, the "does less overlap help?" trade-off, and PGR/OPR vs the ridge
# penalty (`w2s-theory reproduce NAME` writes the PNG).

# %%
for name in ["gcm_power_law", "gcm_overlap_tradeoff", "gcm_ridge"]:
    out = figure(name).make(MODE)
    display(out.figure)
    plt.close(out.figure)


# %% [markdown]
# ## Explore
# Deterministic equivalents only (no Monte Carlo), so a slider move takes about a second: the four risks
# vs $N$ at the chosen $n$ (left) and the W2S gain over the teacher vs the overlap $k$ (right), for
# $\Sigma=\mathrm{diag}(k^{-a})$, $\beta_k=k^{-b}$, weak = top 60 coordinates, strong = top $k$ + $150-k$
# others, $d=400$.


# %%
def explore(a=1.5, b=1.0, overlap=30, lam_w=1e-4, lam_s=1e-4, n=150, N=1000, sigma2=0.2):
    d, p_w, p_s = 400, 60, 150
    build = lambda k: GaussianCovariateModel.power_law(
        a, b, d, *overlapping_coordinates(p_w, p_s, k), sigma2=sigma2
    )
    Ns = np.unique(np.geomspace(50, 5000, 40 if FAST else 120).astype(int))
    risks = build(overlap).expected_risks(n, Ns, lam_w, lam_s)
    ks = np.arange(0, p_w + 1, 6 if FAST else 2)
    gains = [(lambda o: o["weak"] - o["w2s"])(build(k).expected_risks(n, N, lam_w, lam_s)) for k in ks]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for key, label in [
        ("weak", "teacher"),
        ("strong", "S-Baseline"),
        ("ceiling", "S-Ceiling"),
        ("w2s", "W2S"),
    ]:
        axes[0].loglog(Ns, risks[key], label=label)
    axes[0].axvline(N, color="grey", ls=":")
    axes[0].set(
        xlabel="$N$", ylabel="excess risk (deterministic equivalent)", title=f"overlap $k$={overlap}, $n$={n}"
    )
    axes[0].legend(fontsize=8)
    axes[1].plot(ks, gains, "o-", ms=3)
    axes[1].axhline(0, color="grey")
    axes[1].axvline(overlap, color="grey", ls=":")
    axes[1].set(
        xlabel="overlap $k$",
        ylabel="gain $\\mathrm{ER}_w-\\mathrm{ER}_{w2s}$",
        title=f"$a$={a}, $b$={b}, $N$={N}",
    )
    plt.show()


explore()

# %%
try:
    from ipywidgets import FloatLogSlider, FloatSlider, IntSlider, interact

    interact(
        explore,
        a=FloatSlider(value=1.5, min=0.6, max=2.5, step=0.1),
        b=FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1),
        overlap=IntSlider(value=30, min=0, max=60, step=1),
        lam_w=FloatLogSlider(value=1e-4, base=10, min=-6, max=1),
        lam_s=FloatLogSlider(value=1e-4, base=10, min=-6, max=1),
        n=IntSlider(value=150, min=20, max=2000, step=10),
        N=IntSlider(value=1000, min=20, max=5000, step=20),
        sigma2=FloatLogSlider(value=0.2, base=10, min=-3, max=1),
    )
except ImportError:
    print("pip install ipywidgets for sliders")
