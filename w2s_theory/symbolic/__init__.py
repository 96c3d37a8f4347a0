"""sympy derivations of the closed forms. Imported lazily: ``import w2s_theory`` never imports sympy.

Each module derives its formulas from named building blocks, checks them symbolically (limits, special
cases, agreement with the papers' stated forms) and can regenerate the checked-in numeric module that the
rest of the package evaluates (``python -m w2s_theory.symbolic.<module> --write``).
"""
