"""The JUST-team rules, the typing they judge, the quarantine that applies them, and the checks."""

if __name__ != "jobbtorg_pipeline.quality":  # e.g. `import quality` from the repository root: a second copy
    raise ImportError(
        f"import jobbtorg_pipeline.quality, not {__name__}: the folder quality/ is installed as that package "
        "(docs/architecture.md)"
    )
