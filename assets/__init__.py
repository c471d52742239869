"""Dagster assets by layer: sources.py -> staging/ -> marts/ -> publish.py (the rules live in quality/)."""
