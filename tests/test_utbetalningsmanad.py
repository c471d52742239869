"""The newest payment month delivered, as an asset of its own, and its freshness policy.

Why: a payment month that has not arrived by its usual day must show in the Dagster UI. The raw payments
are read in full on every run, so their own materialisation says nothing about a new month; the asset
`raw/utbetalningsmanad` is materialised only when a month newer than any before has arrived, and its
policy (the 10th, 09:00 Stockholm time, looking back to midnight on the 1st) turns it stale when none has
arrived in the month so far.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.assets.sources import UTBETALNINGSMANAD, raw_utbetalningar
from jobbtorg_pipeline.definitions import build_definitions
from jobbtorg_pipeline.sensors.schedule import STOCKHOLM
from tests.support.pipeline import run_pipeline
from tests.support.sourcebuilder import JARVA, SourceBuilder, pnr


def test_the_policy_looks_back_from_the_tenth_to_the_first_of_the_month():
    policy = build_definitions().resolve_asset_graph().get(UTBETALNINGSMANAD).freshness_policy
    assert type(policy).__name__ == "CronFreshnessPolicy"
    assert (policy.deadline_cron, policy.timezone) == ("0 9 10 * *", "Europe/Stockholm")
    for year in (2024, 2026):
        for month in range(1, 13):
            deadline = datetime(year, month, 10, 9, tzinfo=STOCKHOLM)
            # Dagster's evaluator subtracts the delta in absolute time; no clock change falls on days 1-10
            assert deadline - policy.lower_bound_delta == datetime(year, month, 1, tzinfo=STOCKHOLM)


def _months(instance: dg.DagsterInstance) -> list[str]:
    records = instance.fetch_materializations(UTBETALNINGSMANAD, limit=100).records
    return [r.asset_materialization.metadata["manad"].value for r in reversed(records)]


def test_the_month_is_recorded_once_when_it_first_arrives(tmp_path: Path):
    person = pnr("19800101", 1, woman=True)
    src = SourceBuilder(tmp_path / "source", uttagsdatum="2019-03-02")
    src.inskrivning("I1", person, "2019-01-10", jobbtorg=JARVA)
    src.utbetalning("u1", person, "2019-01", "1000")
    src.utbetalning("u2", person, "2019-02", "1000")
    instance = dg.DagsterInstance.ephemeral()
    run = run_pipeline(tmp_path / "work", src.write(), instance=instance, marts_only=True)
    assert run.success
    assert _months(instance) == ["2019-02"]

    def read_payments_again() -> None:
        defs = build_definitions(run.settings)
        assert dg.materialize([raw_utbetalningar], resources=defs.resources, instance=instance).success

    read_payments_again()  # the same files: no new month
    assert _months(instance) == ["2019-02"]
    src.utbetalning("u3", person, "2019-03", "1000")
    src.write()
    read_payments_again()
    assert _months(instance) == ["2019-02", "2019-03"]
    (src.root / "utbetalningar" / "utbetalningar_2019-03.csv").unlink()  # taken back: no month is newer
    read_payments_again()
    assert _months(instance) == ["2019-02", "2019-03"]
