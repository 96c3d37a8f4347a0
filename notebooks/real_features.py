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
# # Bring your own features: W2S predicted from two real feature matrices
#
# Dong, Li, Li, Lee, Lei (ICML 2025), "Discrepancies are Virtue", predict weak-to-strong generalization
# from the intrinsic dimensions $d_w$, $d_s$ of a weak teacher's and a strong student's features and their
# overlap $d_{s\wedge w}$. Here those numbers come from two *real* feature matrices of the same inputs,
# scikit-learn's bundled digits: weak = the left-half pixels (PCA-20), strong = all pixels (PCA-8),
# target = the digit's value. This notebook only *calls* `w2s_theory.features`; the theory is
# `docs/theory/features.md`.
#
# **`W2S_FAST=1`** (the test suite sets it) runs in about 20 s: 60 trials per point instead of 300, a
# 2 x 2 grid of $(n, N)$ instead of 5 x 5, 64 design-check draws instead of 200. Unset, the notebook runs
# the full comparison (about a minute on 2 cores).

# %%
import jax

jax.config.update("jax_enable_x64", True)  # the library needs float64; before any other JAX use

import os

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from w2s_theory.features import FeatureModel, authors_d_sw
from w2s_theory.features.examples import digits
from w2s_theory.features.report import comparison_table
from w2s_theory.figures.features import feature_curves

FAST = os.environ.get("W2S_FAST") == "1"
TRIALS = 60 if FAST else 300

# %matplotlib inline

# %% [markdown]
# ## The model: dimensions, overlap, biases
# Each block is centred and truncated to its top principal components, so $d_w = k_w$, $d_s = k_s$. The
# overlap is measured between the two column spans on the same 1797 inputs (the squared canonical
# correlations), against the value two unrelated spans would have.

# %%
F_w, F_s, y = digits()
model = FeatureModel.from_features(F_w, F_s, y, sigma2=4.0, k_w=20, k_s=8)
for key, value in model.summary().items():
    print(f"{key:24s} {value}")

# %% [markdown]
# The authors' overlap estimator compares eigenvectors of the two models in their own coordinates; it
# returns about $k_w k_s / d$ (here $d$ = 30 left-half pixels), the overlap of two random subspaces,
# whatever the features (`docs/theory/features.md` §6).

# %%
print(f"principal angles: d_sw = {model.d_sw:.3f}; authors' estimator: {authors_d_sw(F_w, F_s, 20, 8):.3f}; "
      f"k_w k_s / d = {20 * 8 / min(F_w.shape[1], F_s.shape[1]):.3f}")  # fmt: skip

# %% [markdown]
# ## Is the design close enough to Gaussian?
# The exact forms assume $\mathbb E(F^\top F)^{-1}=\Sigma^{-1}/(n-k-1)$; the factor below is 1 for a Gaussian
# design, and `expected_risks` warns above 1.2.

# %%
for n, factors in {n: model.design_check(n, trials=64 if FAST else 200) for n in (44, 100)}.items():
    print(n, {block: f"{est.value:.3f} ± {est.se:.3f}" for block, est in factors.items()})

# %% [markdown]
# ## Predicted vs measured
# Exact forms (with both bias terms) and the paper's stated forms, against the real pipeline on resampled
# rows: curves vs $n$ and vs $N$, and the table behind the markers.

# %%
ns, Ns = ((44, 100), (50, 400)) if FAST else ((44, 60, 100, 200, 400), (20, 50, 100, 400, 1000))
out = feature_curves(
    model, ns, Ns, trials=TRIALS, title="digits: left-half PCA-20 teacher, all-pixel PCA-8 student"
)
display(out.figure)
plt.close(out.figure)
display(Markdown(comparison_table(out.data["table"]["rows"])))

# %% [markdown]
# ## Explore: $k_w$, $k_s$, $\sigma^2$
# Theory only (instant): the blocks are truncated from the full spectra, so every slider position is a
# new model without a new SVD. Fewer weak components raise $\rho_w$ and the student-visible bias; more
# strong components lower $\rho_s$ but raise every variance term.

# %%
full = FeatureModel.from_features(F_w, F_s, y, sigma2=4.0, k_w="rank", k_s="rank")


def explore(k_w=20, k_s=8, sigma2=4.0):
    m = full.with_truncation(k_w, k_s).with_sigma2(sigma2)
    lo = max(k_w, k_s) + 2
    n = list(range(lo, 10 * lo))
    N = 400
    exact, stated = m.expected_risks(n, N, check_design=False), m.paper_risks(n, N)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for key, color in (
        ("weak", "tab:orange"),
        ("strong", "tab:green"),
        ("ceiling", "tab:purple"),
        ("w2s", "tab:blue"),
    ):
        axes[0].plot(n, exact[key], "-", color=color, label=f"{key} (exact)")
        axes[0].plot(n, stated[key], ":", color=color)
    axes[1].plot(n, exact["pgr"], "-", color="black", label="PGR (exact)")
    axes[1].plot(n, exact["opr"], "-", color="tab:red", label="OPR (exact)")
    axes[1].axhline(1, color="grey", ls="--", lw=1)
    axes[0].set(xlabel="n (labelled rows)", ylabel="excess risk", title=f"N = {N}; dotted: stated forms")
    axes[1].set(xlabel="n (labelled rows)", title=f"d_sw = {m.d_sw:.2f} (unrelated: {m.d_sw_null:.2f})")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    plt.show()


explore()

# %%
try:
    from ipywidgets import FloatLogSlider, IntSlider, interact

    interact(
        explore,
        k_w=IntSlider(value=20, min=1, max=full.d_w),
        k_s=IntSlider(value=8, min=1, max=full.d_s),
        sigma2=FloatLogSlider(value=4.0, base=10, min=-2, max=1.5),
    )
except ImportError:
    print("pip install ipywidgets for sliders")
