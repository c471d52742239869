"""The checks that keep a bad delivery from publishing wrong figures, on hand-built extracts.

As tests/test_quality_checks.py: a small source is staged with the functions the assets call and one check
function is run on it; the answers are worked out by hand in each test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jobbtorg_pipeline.quality import checks
from tests.support.pipeline import settings_for
from tests.support.sourcebuilder import SourceBuilder, pnr
from tests.support.staging import judge, stage

A = pnr("19800101", 1, woman=True)


def _check(tmp_path: Path, src: SourceBuilder, run, **settings: object):
    src.write()
    con = stage(src.root, tmp_path / "work")
    try:
        return run(con, settings_for(tmp_path / "work", src.root, **settings))
    finally:
        con.close()


def _source(
    tmp_path: Path, uttag: str, months: dict[str, int], bad: dict[str, int] | None = None
) -> SourceBuilder:
    """`months[m]` payment rows in month m's file, the first `bad[m]` of them with an unknown bistandstyp
    (quarantined by a code-list rule)."""
    src = SourceBuilder(tmp_path / "source", uttag)
    src.inskrivning("I1", A, "2019-01-10")
    for month, rows in months.items():
        for n in range(rows):
            kind = "okand" if n < (bad or {}).get(month, 0) else "forsorjningsstod"
            src.utbetalning(f"U{month}-{n:03d}", A, month, "100", bistandstyp=kind)
    return src


def test_the_quarantine_ceiling_holds_for_each_file_as_well_as_for_the_source(tmp_path):
    """March 120 rows, none bad; April 120 rows, 10 bad (8.3 %); May 10 rows, 1 bad (judged as if of 100
    rows: 1 %, under 5 %). The source: 11 of 250 (4.4 %), under the ceiling; April alone is over it."""
    src = _source(
        tmp_path, "2019-10-01", {"2019-03": 120, "2019-04": 120, "2019-05": 10}, {"2019-04": 10, "2019-05": 1}
    )
    result = _check(tmp_path, src, lambda con, s: judge(checks._quarantine_share, con, s, "utbetalningar"))
    assert not result.passed
    assert result.description == (
        "11 of 250 rows (4.4%) quarantined; the ceiling is 5%, of the source and of each file; over it: "
        "utbetalningar/utbetalningar_2019-04.csv: 10 of 120 rows (8.3%) quarantined"
    )
    assert result.metadata["files_over_ceiling"].value == ["utbetalningar/utbetalningar_2019-04.csv"]


def test_every_file_under_the_ceiling_passes(tmp_path):
    """April 6 bad of 120 (5.0 %: at the ceiling, not over it); May 5 bad of 10 (judged of 100: 5 %)."""
    src = _source(tmp_path, "2019-10-01", {"2019-04": 120, "2019-05": 10}, {"2019-04": 6, "2019-05": 5})
    result = _check(
        tmp_path,
        src,
        lambda con, s: judge(checks._quarantine_share, con, s, "utbetalningar"),
        quarantine_ceiling=0.10,
    )
    assert result.passed, result.description
    assert result.metadata["files_over_ceiling"].value == []


def test_a_payment_month_under_half_the_median_of_the_months_before_blocks(tmp_path):
    """Rows per month: Jan 4, Feb 1, Mar 4, Apr 1, May 2, Jun 0 (header only), uttagsdatum 2019-06-10.
    Feb and Mar have fewer than 3 months before them: not judged. Apr: median of 4, 1, 4 = 4, and 1 < 2:
    too small. May: median of 4, 1, 4, 1 = 2.5, and 2 >= 1.25: whole. June holds the uttagsdatum: in
    progress, not judged although empty."""
    src = _source(
        tmp_path, "2019-06-10", {"2019-01": 4, "2019-02": 1, "2019-03": 4, "2019-04": 1, "2019-05": 2}
    )
    src.utbetalningar["2019-06"] = []
    result = _check(tmp_path, src, lambda con, s: judge(checks._month_size, con, s))
    assert not result.passed
    assert result.metadata["too_small"].value == ["utbetalningar/utbetalningar_2019-04.csv"]
    assert result.description == (
        "a payment month far smaller than the months before it: utbetalningar/utbetalningar_2019-04.csv: "
        "1 rows, under half the median of the months before it (4): is the month delivered whole? A "
        "re-delivery replaces it"
    )


def test_a_month_after_the_uttagsdatum_month_is_judged(tmp_path):
    """The same months with the uttagsdatum in May: June (empty) is after it and judged: median of the
    12 months before at most (4, 1, 4, 2, 2: 2), 0 < 1; April, 2 against the median 4, is just half: whole."""
    src = _source(
        tmp_path, "2019-05-10", {"2019-01": 4, "2019-02": 1, "2019-03": 4, "2019-04": 2, "2019-05": 2}
    )
    src.utbetalningar["2019-06"] = []
    result = _check(tmp_path, src, lambda con, s: judge(checks._month_size, con, s))
    assert not result.passed
    assert result.metadata["too_small"].value == ["utbetalningar/utbetalningar_2019-06.csv"]


def test_an_extract_dated_after_today_blocks_and_today_is_settable(tmp_path):
    src = _source(tmp_path, "2019-10-01", {"2019-03": 1})
    future = _check(
        tmp_path / "a",
        src,
        lambda con, s: judge(checks._not_in_future, con, s),
        today_override=date(2019, 9, 30),
    )
    assert not future.passed
    assert future.description.startswith(
        "the snapshot arendesystem/2019-10-01 is dated 2019-10-01, after today"
    )
    same_day = _check(
        tmp_path / "b",
        src,
        lambda con, s: judge(checks._not_in_future, con, s),
        today_override=date(2019, 10, 1),
    )
    assert same_day.passed


def test_the_month_of_the_latest_payment_is_in_progress_and_not_judged(tmp_path):
    """An older snapshot (uttagsdatum in April) beside payments delivered to May 25: May, with 1 row
    against a median of 4 (Jan-Apr 4, 4, 4, 4), is the payments' month in progress and is not judged;
    June, after it and empty, is (0 against 4)."""
    src = _source(
        tmp_path, "2019-04-20", {"2019-01": 4, "2019-02": 4, "2019-03": 4, "2019-04": 4, "2019-05": 1}
    )
    result = _check(tmp_path / "a", src, lambda con, s: judge(checks._month_size, con, s))
    assert result.passed, result.description
    src.utbetalningar["2019-06"] = []
    result = _check(tmp_path / "b", src, lambda con, s: judge(checks._month_size, con, s))
    assert result.metadata["too_small"].value == ["utbetalningar/utbetalningar_2019-06.csv"]
