"""Synthetic source extracts for Jobbtorg Stockholm (docs/source-files.md): snapshots and payments.

    from jobbtorg_pipeline.generate import generate_source
    summary = generate_source(Path("data/source"), people=10_000, seed=1)

The modules: `people` (persons and personnummer), `registrations`, `insatser`, `payments` build the
history as numpy arrays; `writing` cuts it into as-of snapshots and monthly payment files; `source`
ties them together. See `writing` for which payment file is Windows-1252, has a BOM or a decimal comma.
"""

from .source import GenerationSummary, generate_source

__all__ = ["GenerationSummary", "generate_source"]
