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
# # The other seed works as exact theory: several teachers, a blended weight, RGR, double descent
#
# Four weak-teacher results in the intrinsic-dimension model of Dong et al. (ICML 2025), each with exact
# finite-sample expectations: several weak teachers weighted as in AE-KD (Du et al., NeurIPS 2020), a blended
# distillation weight as in DWT (Lee et al., Findings ACL 2023), W2SR's Reasoning Gap Recovered (Yuan et al.,
# 2025), and the minimum-norm (over-parameterised) regime. The notebook only *calls* `w2s_theory`; the theory
# is in `docs/theory/multiteacher.md`, `blend.md`, `rgr.md` and `discrepancies.md` §12. Every curve below is
# an exact expectation; the Monte Carlo checks are in the test suite and the registered figures
# (`w2s-theory reproduce multiteacher_weights | blend_weight | rgr_iso_accuracy | double_descent`).
#
# **`W2S_FAST=1`** (the test suite sets it) uses coarser grids and fewer Monte Carlo trials.

# %%
import jax

jax.config.update("jax_enable_x64", True)  # the library needs float64; before any other JAX use

import os

import matplotlib.pyplot as plt
import numpy as np

from w2s_theory import SubspaceModel
from w2s_theory.blend import BlendModel
from w2s_theory.metrics import mean_se
from w2s_theory.multiteacher import MultiTeacherModel
from w2s_theory.rgr import RGRModel

FAST = os.environ.get("W2S_FAST") == "1"

# %matplotlib inline

# %% [markdown]
# ## 1. Several weak teachers, weighted
# Four teachers; teacher 4 either covers only what teachers 1–3 cover (`redundant`) or four directions they
# miss (`complementary`). The student's expected risk is an exact quadratic in the weights $\alpha$; as teacher
# 4's labels approach its dimension ($n_4\to d_4+1$) its variance explodes, and equal weights pay for it.

# %%
N_TRANSFER = 30


def weights_table(case="redundant", n4=15):
    q = MultiTeacherModel.coverage(case).expected(n=[40, 40, 40, n4], N=N_TRANSFER)
    for rule, row in q.compare().items():
        print(f"{rule:16s} {np.round(row['weights'], 2)}  E ER {row['risk']:.3f}  excess {row['excess']:.0%}")


weights_table()

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=False)
n4_grid = np.arange(14, 53, 2 if FAST else 1)
for ax, case in zip(axes, ("redundant", "complementary"), strict=True):
    model = MultiTeacherModel.coverage(case)
    quads = [model.expected(n=[40, 40, 40, int(n4)], N=N_TRANSFER) for n4 in n4_grid]
    for rule in ("uniform", "simplex", "inverse_variance"):
        ax.plot(n4_grid - 12, [q.risk(q.weights(rule)) for q in quads], label=rule)
    ax.set(title=f"teacher 4 {case}", xlabel="$n_4-d_4$", ylabel="student E ER", xscale="log")
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# One Monte Carlo check at $n_4=d_4+4$ (the exact risks of the uniform and optimal weights, against the
# same trials), and AE-KD's own rule estimated from the data of each trial:

# %%
model = MultiTeacherModel.coverage("redundant")
n = [40, 40, 40, 16]
q = model.expected(n, N_TRANSFER)
mc = model.simulate(n, N_TRANSFER, trials=500 if FAST else 4000, seed=0)
for rule in ("uniform", "simplex"):
    est = mean_se(model.weighted_risk(mc, q.weights(rule)))
    print(f"{rule:8s} exact {q.risk(q.weights(rule)):.3f}  MC {est.value:.3f} ± {est.se:.3f}")
aekd = model.aekd(mc)
print(f"AE-KD    weights {aekd['weights'].mean(0).round(2)}  MC {mean_se(aekd['risk']).value:.3f}")

# %% [markdown]
# ## 2. A blended distillation weight
# The student fits $(1-w)\,y+w\,\hat y_w$ on the same $n$ labelled points. With commuting projections the
# expected risk is an exact quadratic $E_0-2wU+w^2V$, minimised at $w^*=U/V$.


# %%
def blend_curve(n=14, teacher_only=1.0, sigma2=0.5):
    m = BlendModel.blocks(
        c=2, a=4, b=3, sigma2=sigma2, student_only=1.0, teacher_only=teacher_only, outside=0.5
    )
    w = np.linspace(-0.5, 1.5, 81)
    risk = m.expected_risk(n, w)["blend"]
    w_star = m.optimal_weight(n)
    plt.figure(figsize=(5.5, 3.5))
    plt.plot(w, risk)
    plt.axvline(w_star, ls=":", c="k", label=f"$w^*$ = {w_star:.3f}")
    plt.xlabel("weight $w$ on the teacher's predictions")
    plt.ylabel("student E ER")
    plt.legend()
    plt.show()


blend_curve()

# %% [markdown]
# ## 3. W2SR's Reasoning Gap Recovered
# Teachers with the same expected risk 2.5 whose errors lie in different places recover very different
# fractions of the gap between the un-tuned student and the ceiling.


# %%
def rgr_curves(er_weak=2.5):
    teachers = RGRModel.iso_accuracy_teachers(er_weak=er_weak)
    plt.figure(figsize=(6.5, 3.8))
    for name, (t, n) in teachers.items():
        N = np.arange(max(t.smallest_N_with_gap() or 0, 12) + 1, 121)
        plt.plot(N, t.expected_risks(n, N)["rgr"], label=name)
    plt.ylim(-1.5, 3)
    plt.xlabel("N (student's labelled points)")
    plt.ylabel("RGR")
    plt.legend(fontsize=7)
    plt.show()


rgr_curves()

# %% [markdown]
# ## 4. Double descent, exact
# All four risks through both interpolation thresholds ($n=d_w$ for the teacher, $N=d_s$ for the student);
# the expectation is infinite within one sample of a threshold, where the curve is blank.


# %%
def double_descent(N=10, sigma2=0.5):
    rng = np.random.default_rng(1)
    beta = rng.normal(size=52) * 2 / np.sqrt(52)
    m = SubspaceModel.from_principal_angles(
        rng.uniform(0.15, 1.35, 14), d_w=20, d_s=30, sigma2=sigma2, beta=beta, D=52
    )
    n = np.arange(1, 91)
    out = m.expected_risks(n, np.full_like(n, N), at_poles="nan")
    plt.figure(figsize=(6.5, 3.8))
    for key in ("weak", "strong", "ceiling", "w2s"):
        plt.plot(n, out[key], label=key)
    plt.yscale("log")
    plt.xlabel("n (labelled samples)")
    plt.ylabel("expected excess risk")
    plt.title(f"N = {N}")
    plt.legend()
    plt.show()


double_descent()

# %% [markdown]
# ## Sliders
# (needs `ipywidgets`; every slider re-evaluates exact expectations only, so each move is instant)

# %%
try:
    from ipywidgets import FloatLogSlider, FloatSlider, IntSlider, interact

    interact(weights_table, case=["redundant", "complementary"], n4=IntSlider(value=15, min=14, max=80))
    interact(
        blend_curve,
        n=IntSlider(value=14, min=11, max=80),
        teacher_only=FloatSlider(value=1.0, min=0.0, max=3.0, step=0.1),
        sigma2=FloatLogSlider(value=0.5, base=10, min=-2, max=1),
    )
    interact(rgr_curves, er_weak=FloatSlider(value=2.5, min=2.0, max=4.0, step=0.1))
    interact(
        double_descent,
        N=IntSlider(value=10, min=1, max=90),
        sigma2=FloatLogSlider(value=0.5, base=10, min=-2, max=1),
    )
except ImportError:
    print("pip install ipywidgets for sliders")
