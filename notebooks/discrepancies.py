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
# # Discrepancies are Virtue: the intrinsic-dimension trade-off
#
# Dong, Li, Li, Lee, Lei (ICML 2025). A weak teacher fine-tunes in a $d_w$-dimensional subspace
# $\mathcal V_w$, a strong student in $\mathcal V_s$ ($d_s$ dims); their overlap is
# $d_{s\wedge w}=\|V_s^\top V_w\|_F^2$. This notebook only *calls* `w2s_theory`: the formulas are derived
# in `w2s_theory.symbolic.discrepancy`, the Monte Carlo runs in `w2s_theory.discrepancy.simulate`; the theory
# is written up in `docs/theory/discrepancies.md`.
#
# **`W2S_FAST=1`** (the test suite sets it) runs everything small enough for CI, in about 20 s: the
# registered figures in their fast mode (every dimension scaled by 1/10, 3-point grids, 30 trials instead of
# 40), the single-point check with 20 trials instead of 200, and the trade-off map at 40x40 instead of
# 120x120 points. Unset, the notebook runs at the paper's sizes (minutes).

# %%
import jax

jax.config.update("jax_enable_x64", True)  # the library needs float64; before any other JAX use

import os

import matplotlib.pyplot as plt
from IPython.display import Math, display

from w2s_theory.discrepancy import SubspaceModel
from w2s_theory.figures import Mode, figure
from w2s_theory.figures.explore import tradeoff_map
from w2s_theory.metrics import mean_se
from w2s_theory.symbolic import discrepancy as derivation

FAST = os.environ.get("W2S_FAST") == "1"
MODE = Mode(fast=FAST, cache_dir=None, progress=False)

# %matplotlib inline

# %% [markdown]
# ## The derived formulas
# Exact finite-sample expectations for the Gaussian latent model (inverse-Wishart mean + independent
# residual), the paper's stated form, the PGR/OPR lower bounds and their maximiser $n^*$
# (`docs/theory/discrepancies.md` §3, §4, §6).

# %%
tex = derivation.latex()
for name in ["er_weak", "er_w2s", "paper_w2s", "pgr_lower_bound", "opr_lower_bound", "n_star"]:
    print(name)
    display(Math(tex[name]))

# %% [markdown]
# The derivation's symbolic self-checks (stated forms are the leading order, limiting cases hold):

# %%
for check, ok in derivation.self_checks().items():
    print("ok  " if ok else "FAIL", check)

# %% [markdown]
# ## One point: exact expectation vs stated form vs Monte Carlo
# The authors' configuration with $d_{s\wedge w}=10$ at $n=2000$, $N=400$: the stated $d_s/N$ form is
# far below the Monte Carlo; the exact $d_s/(N-d_s-1)$ form is not.

# %%
model = SubspaceModel.notebook(d=20000, d_w=200, d_s=100, doff=90, d_gt=300, cov_pow=1.0, sigma2=1e-2, seed=0)
exact, stated = model.expected_risks(2000, 400), model.paper_risks(2000, 400)
mc = model.simulate(2000, 400, trials=20 if FAST else 200, seed=0)
for key in ("weak", "strong", "ceiling", "w2s"):
    est = mean_se(mc[key])
    print(f"{key:8s} exact {exact[key]:.4e}  stated {stated[key]:.4e}  MC {est.value:.4e} ± {est.se:.1e}")

# %% [markdown]
# ## The paper's synthetic figures
# Each is a registered function (`w2s-theory reproduce NAME` writes the PNG); in fast mode they use
# 1/10 of the dimensions and a 3-point grid.

# %%
for name in ["exrisk_dsw10", "pgr_opr_vardom", "pgr_opr_lower_bounds"]:
    out = figure(name).make(MODE)
    display(out.figure)
    plt.close(out.figure)

# %% [markdown]
# ## Explore the trade-off
# Exact PGR and OPR over $(n, N)$; the white contours bound the regions where W2S beats the strong
# ceiling (PGR > 1) or the strong baseline (OPR > 1). Smaller $d_{s\wedge w}$ (more discrepancy) and
# larger $\sigma^2$ (variance-dominated) enlarge both regions.


# %%
def explore(d_w=200, d_s=100, d_sw=10.0, sigma2=1e-2, rho_w=2.5e-4, rho_s=5.5e-5):
    out = tradeoff_map(d_w=d_w, d_s=d_s, d_sw=min(d_sw, d_w, d_s), sigma2=sigma2, rho_w=rho_w, rho_s=rho_s,
                       resolution=40 if FAST else 120)  # fmt: skip
    display(out.figure)
    plt.close(out.figure)


explore()

# %%
try:
    from ipywidgets import FloatLogSlider, FloatSlider, IntSlider, interact

    interact(
        explore,
        d_w=IntSlider(value=200, min=10, max=400, step=10),
        d_s=IntSlider(value=100, min=10, max=400, step=10),
        d_sw=FloatSlider(value=10, min=0, max=400, step=1),
        sigma2=FloatLogSlider(value=1e-2, base=10, min=-4, max=0),
        rho_w=FloatLogSlider(value=2.5e-4, base=10, min=-6, max=-1),
        rho_s=FloatLogSlider(value=5.5e-5, base=10, min=-6, max=-1),
    )
except ImportError:
    print("pip install ipywidgets for sliders")
