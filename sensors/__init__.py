"""When the pipeline runs by itself, and who hears when it fails: the nightly schedule, the sensor on the
source folder, and the alert sensors for failed, blocked and cancelled runs."""

if __name__ != "jobbtorg_pipeline.sensors":  # e.g. `import sensors` from the repository root: a second copy
    raise ImportError(
        f"import jobbtorg_pipeline.sensors, not {__name__}: the folder sensors/ is installed as that package "
        "(docs/architecture.md)"
    )
