"""The publish step's own guarantee: marts of one load of each source, every blocking check passed on it.

Hand-built records in an in-memory DuckDB, so each way of being refused is seen on its own.
"""

from __future__ import annotations

import duckdb
import pytest

from jobbtorg_pipeline.provenance import (
    BlockingCheck,
    NotPublishable,
    ensure_publishable,
    record_built,
    record_load,
    record_outcome,
    refusal,
)

CHECKS = (
    BlockingCheck("raw/inskrivningar", "filer_lasbara", ("arendesystem",)),
    BlockingCheck("staging/utbetalningar", "karantanandel", ("arendesystem", "utbetalningar")),
)
MARTS = ["marts.a", "marts.b"]


def _loaded(con: duckdb.DuckDBPyConnection, run: str) -> tuple[str, str]:
    case = record_load(con, "arendesystem", ["raw.inskrivningar"], f"snapshot of {run}", run)
    payments = record_load(con, "utbetalningar", ["raw.utbetalningar"], f"payments of {run}", run)
    record_built(con, "staging.inskrivningar", ["raw.inskrivningar"], run)
    record_built(con, "staging.utbetalningar", ["raw.utbetalningar", "raw.inskrivningar"], run)
    return case, payments


def _judge(con, case: str, payments: str, run: str, *, passed: bool = True) -> None:
    record_outcome(con, "raw/inskrivningar", "filer_lasbara", [case], True, "ok", run)
    record_outcome(
        con, "staging/utbetalningar", "karantanandel", [case, payments], passed, "81 % of a file", run
    )


@pytest.fixture
def con():
    with duckdb.connect() as con:
        yield con


def test_marts_of_one_load_that_passed_every_check_may_be_published(con):
    case, payments = _loaded(con, "r1")
    _judge(con, case, payments, "r1")
    record_built(con, "marts.a", ["staging.inskrivningar"], "r1")  # rests on the case system only
    record_built(con, "marts.b", ["staging.inskrivningar", "staging.utbetalningar"], "r1")
    assert refusal(con, MARTS, CHECKS) is None
    assert ensure_publishable(con, MARTS, CHECKS, "the file") == sorted([case, payments])


def test_marts_built_from_two_loads_are_refused_naming_them(con):
    """A run blocked after loading anew, then marts built on their own: one mart from the new staging,
    one from what an earlier run left."""
    old_case, old_payments = _loaded(con, "r1")
    _judge(con, old_case, old_payments, "r1")
    record_built(con, "marts.a", ["staging.inskrivningar"], "r1")
    new_case, new_payments = _loaded(con, "r2")
    _judge(con, new_case, new_payments, "r2")
    record_built(con, "marts.b", ["staging.inskrivningar", "staging.utbetalningar"], "r2")
    why = refusal(con, MARTS, CHECKS)
    assert why is not None and why.startswith("the marts were built from different extracts")
    assert "marts.a from snapshot of r1" in why and "marts.b from snapshot of r2" in why
    with pytest.raises(NotPublishable, match=r"^the file was not changed: the marts were built from"):
        ensure_publishable(con, MARTS, CHECKS, "the file")


def test_marts_of_a_load_a_blocking_check_stopped_are_refused_with_its_reason(con):
    case, payments = _loaded(con, "r1")
    _judge(con, case, payments, "r1", passed=False)
    for mart in MARTS:
        record_built(con, mart, ["staging.inskrivningar", "staging.utbetalningar"], "r1")
    why = refusal(con, MARTS, CHECKS)
    assert why == (
        "the marts were built from an extract that the blocking check staging/utbetalningar:karantanandel "
        f"stopped ({_described(con, case)} and {_described(con, payments)}): 81 % of a file"
    )


def test_the_latest_outcome_on_the_same_load_counts_and_an_earlier_load_passing_does_not(con):
    old_case, old_payments = _loaded(con, "r1")
    _judge(con, old_case, old_payments, "r1")  # passed, on the earlier load
    case, payments = _loaded(con, "r2")
    for mart in MARTS:
        record_built(con, mart, ["staging.inskrivningar", "staging.utbetalningar"], "r2")
    why = refusal(con, MARTS, CHECKS)
    assert (
        why is not None and "has not judged the extract" in why and "raw/inskrivningar:filer_lasbara" in why
    )
    _judge(con, case, payments, "r2", passed=False)
    assert "stopped" in (refusal(con, MARTS, CHECKS) or "")
    _judge(con, case, payments, "r3", passed=True)  # judged again, e.g. after a larger ceiling was set
    assert refusal(con, MARTS, CHECKS) is None


def test_a_mart_with_no_record_or_no_case_system_load_is_refused(con):
    case, payments = _loaded(con, "r1")
    _judge(con, case, payments, "r1")
    record_built(con, "marts.a", ["staging.inskrivningar"], "r1")
    assert "it is not known which extract marts.b" in (refusal(con, MARTS, CHECKS) or "")
    record_built(con, "marts.b", ["staging.stadsdelar"], "r1")  # reference data only
    record_built(con, "marts.a", ["staging.stadsdelar"], "r1")
    assert "rest on no case-system snapshot" in (refusal(con, MARTS, CHECKS) or "")


def _described(con, load: str) -> str:
    return con.execute(
        "SELECT beskrivning || ', read ' || strftime(laddad, '%Y-%m-%d %H:%M:%S') FROM kvalitet.laddningar "
        "WHERE laddning = ?",
        [load],
    ).fetchone()[0]


def test_two_runs_reading_the_same_extract_rest_on_one_load(con):
    """A daemon run and a `jobbtorg run` on the same files, their steps taking turns: marts built by each
    from its own reading of the same extract may be published together; a changed file is another load."""
    same = ["code 1", "uttagsdatum 2020-10-01", "inskrivningar.csv 9f86d081"]
    case = record_load(con, "arendesystem", ["raw.inskrivningar"], "snapshot", "r1", same)
    payments = record_load(con, "utbetalningar", ["raw.utbetalningar"], "payments", "r1", ["code 1", "p 1"])
    record_built(con, "staging.inskrivningar", ["raw.inskrivningar"], "r1")
    record_built(con, "staging.utbetalningar", ["raw.utbetalningar", "raw.inskrivningar"], "r1")
    _judge(con, case, payments, "r1")
    record_built(con, "marts.a", ["staging.inskrivningar"], "r1")
    again = record_load(con, "arendesystem", ["raw.inskrivningar"], "snapshot", "r2", list(same))
    record_built(con, "staging.inskrivningar", ["raw.inskrivningar"], "r2")
    record_built(con, "marts.b", ["staging.inskrivningar", "staging.utbetalningar"], "r2")
    assert again == case
    assert refusal(con, MARTS, CHECKS) is None
    rows = con.execute("SELECT count(*) FROM kvalitet.laddningar WHERE laddning = ?", [case]).fetchone()
    assert rows == (1,)

    changed = record_load(con, "arendesystem", ["raw.inskrivningar"], "snapshot", "r3", [*same[:2], "x 1"])
    record_built(con, "staging.inskrivningar", ["raw.inskrivningar"], "r3")
    record_built(con, "marts.b", ["staging.inskrivningar", "staging.utbetalningar"], "r3")
    assert changed != case
    assert refusal(con, MARTS, CHECKS).startswith("the marts were built from different extracts")
    unknown = record_load(con, "arendesystem", ["raw.inskrivningar"], "snapshot", "r4")
    assert unknown != record_load(con, "arendesystem", ["raw.inskrivningar"], "snapshot", "r5")
