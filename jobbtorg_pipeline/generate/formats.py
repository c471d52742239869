"""How a personnummer is spelled on a row, and how amounts are written.

Every row picks its own spelling (as case workers and systems type numbers differently), so one person
appears in several formats across rows and files and the pipeline must normalise before it joins.
The 10-digit forms use `+` for persons who are 100 or older, and the form without a separator is never
used for them (it would read as a person born a century later).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .common import IntArray, exact_choice

# 0 = YYYYMMDDNNNC, 1 = YYYYMMDD-NNNC, 2 = YYMMDD-NNNC (YYMMDD+NNNC at 100+), 3 = YYMMDDNNNC
FORMAT_SHARE = (0.65, 0.21, 0.13, 0.01)
TEN_DIGITS = 2


def draw_formats(rng: np.random.Generator, centenarian: IntArray) -> IntArray:
    """A spelling per row; `centenarian` tells, per row, whether the person is 100 or older."""
    fmt = exact_choice(rng, centenarian.size, FORMAT_SHARE)
    return np.where(centenarian & (fmt == 3), TEN_DIGITS, fmt).astype(np.int8)


def spell_pnr(pnr12: pl.Series, fmt: IntArray, centenarian: IntArray) -> pl.Series:
    """Rows' personnummer as written: `pnr12` (canonical, one per row) in each row's format."""
    p = pl.col("p")
    frame = pl.DataFrame({"p": pnr12, "f": fmt, "old": centenarian})
    return frame.select(
        pl.when(pl.col("f") == 0)
        .then(p)
        .when(pl.col("f") == 1)
        .then(pl.concat_str(p.str.slice(0, 8), pl.lit("-"), p.str.slice(8)))
        .when(pl.col("f") == TEN_DIGITS)
        .then(
            pl.concat_str(
                p.str.slice(2, 6),
                pl.when(pl.col("old")).then(pl.lit("+")).otherwise(pl.lit("-")),
                p.str.slice(8),
            )
        )
        .otherwise(p.str.slice(2))
        .alias("personnummer")
    ).to_series()


def spell_belopp(ore: IntArray, decimal_comma: bool) -> pl.Series:
    """Amounts in öre as decimal SEK text with two decimals ("1234.50" or "1234,50")."""
    ore = np.asarray(ore, dtype=np.int64)
    sep = "," if decimal_comma else "."
    frame = pl.DataFrame({"neg": ore < 0, "kr": np.abs(ore) // 100, "ore": np.abs(ore) % 100})
    return frame.select(
        pl.concat_str(
            pl.when(pl.col("neg")).then(pl.lit("-")).otherwise(pl.lit("")),
            pl.col("kr").cast(pl.String),
            pl.lit(sep),
            pl.col("ore").cast(pl.String).str.zfill(2),
        ).alias("belopp")
    ).to_series()


def spell_ids(prefix: str, numbers: IntArray, width: int) -> pl.Series:
    """Text ids such as I00000001: fixed width, so they also sort in creation order."""
    digits = pl.Series("id", np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(prefix), digits).alias("id")).to_series()
