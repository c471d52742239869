"""Dagster assets by layer: sources.py -> staging/ -> marts/ -> report.py -> publish.py (the rules live in
quality/)."""

if __name__ != "jobbtorg_pipeline.assets":  # e.g. `import assets` from the repository root: a second copy
    raise ImportError(
        f"import jobbtorg_pipeline.assets, not {__name__}: the folder assets/ is installed as that package "
        "(docs/architecture.md)"
    )
