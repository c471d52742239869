"""Jobbtorg Stockholm follow-up pipeline: source extracts -> JUST-team rules -> DuckDB marts."""

__version__ = "0.1.0"
