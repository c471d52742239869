"""The periods the follow-up counts in: years and tertials (T1 January-April, T2 May-August, T3
September-December), named `2019` and `2019-T2`.

One home for the rule in Python: the nightly schedule's tag, the report's periods and the command line's
`--period` read it here. The marts' own periods are made in SQL (`assets/staging/sql/perioder.sql`),
which writes the same rule and names; `tests/test_perioder.py` holds the two equal, day by day.
"""

from __future__ import annotations

import re
from datetime import date

PERIOD = re.compile(r"^\d{4}(-T[123])?$")  # a year or a tertial, as the marts name them


def tertial(day: date) -> str:
    """`2019-T2` for a day in May-August 2019."""
    return f"{day.year}-T{(day.month - 1) // 4 + 1}"


def previous_tertial(period: str) -> str:
    """The tertial before `period`: `2019-T3` for `2020-T1`, `2020-T1` for `2020-T2`."""
    year, t = int(period[:4]), int(period[-1])
    return f"{year - 1}-T3" if t == 1 else f"{year}-T{t - 1}"
