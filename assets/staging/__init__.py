"""Staging: typed, normalised, pseudonymised tables (Dagster assets in assets.py)."""
