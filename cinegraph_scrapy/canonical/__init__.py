"""Canonical award categories: one key for what IMDb named differently over the years (see rules.py)."""
