"""Insatser: what a person does while registered, in the full history (snapshots cut it later).

Every registration nearly always starts with a kartläggning on day one; further insatser start during the
registration, more of them the longer it lasts, and end by plan, early, or when the registration ends.
Overlaps arise naturally (coachning alongside praktik); on top of that a few patterns the marts must get
right are planted on purpose: two insatser of the same type at once, single-day insatser (start = end),
and an insats starting on the day another ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobbtorg_pipeline.sources.contract import INSATSTYPER, MALGRUPPER

from .common import MISSING, IntArray, exact_choice, pick, weighted_choice
from .registrations import Registrations

_T = {name: i for i, name in enumerate(INSATSTYPER)}
# Per type: weight among the insatser after kartläggning, planned length in months, share in egen regi.
TYPE_PARAMS: dict[str, tuple[float, float, float, float]] = {
    "kartlaggning": (1.0, 0.5, 1.5, 0.95),
    "vagledning": (6.0, 0.5, 2.0, 0.75),
    "coachning": (20.0, 2.0, 6.0, 0.80),
    "jobbsok": (15.0, 1.0, 3.0, 0.70),
    "matchning": (12.0, 1.0, 4.0, 0.85),
    "forberedande": (12.0, 1.0, 3.0, 0.60),
    "arbetstraning": (3.5, 3.0, 6.0, 0.64),  # 2018: 173 egen, 98 extern (arbetsmarknadsnämnden 2019-11-26)
    "praktik": (7.0, 1.0, 4.0, 0.50),
    "sfi": (6.0, 3.0, 6.0, 0.30),
    "yrkesutbildning": (6.0, 3.0, 6.0, 0.15),
    "validering": (2.0, 0.5, 2.0, 0.30),
    "visstidsanstallning": (2.5, 3.0, 6.0, 0.90),
    "supported_employment": (1.5, 3.0, 6.0, 0.60),
    "ips": (1.2, 3.0, 6.0, 0.50),
    "starta_eget": (0.8, 1.0, 3.0, 0.20),
}
WEIGHT = np.array([TYPE_PARAMS[t][0] for t in INSATSTYPER])
PLAN_LO = np.array([TYPE_PARAMS[t][1] for t in INSATSTYPER])
PLAN_HI = np.array([TYPE_PARAMS[t][2] for t in INSATSTYPER])
EGEN_SHARE = np.array([TYPE_PARAMS[t][3] for t in INSATSTYPER])

# Invented provider names (no real procurement is implied).
PROVIDERS = (
    "Framtidsvägen AB",
    "Kompetensbron Stockholm AB",
    "Nya Steget Arbetsmarknad AB",
    "Stockholms Yrkescentrum AB",
    "Vägval Coachning AB",
    "Brobyggarna ekonomisk förening",
    "Språkporten Sfi AB",
    "Arbetslivsresurs Mälardalen AB",
    "Företagsstart Stockholm AB",
    "Kartläggningsgruppen Norden AB",
    "Stiftelsen Jobbsteget",
)
CITY_UNIT = "Arbetsmarknadsförvaltningen"
# Case systems hold the same provider spelled another way (here: in capitals, with a doubled space), and
# extern insatser without a provider: marts.anordnare must match the one and show the other as `okänd`.
VARIANTS = tuple(p.upper().replace(" ", "  ", 1) for p in PROVIDERS)
ANORDNARE = (*PROVIDERS, CITY_UNIT, *VARIANTS)
VARIANT_SHARE = 0.05  # of the extern insatser: the provider spelled the other way
WITHOUT_PROVIDER_SHARE = 0.02  # of the extern insatser: no provider given
_TYPE_PROVIDERS = {
    "kartlaggning": (9, 0),
    "vagledning": (4, 0),
    "coachning": (0, 4),
    "jobbsok": (0, 2),
    "matchning": (0,),
    "forberedande": (2, 4),
    "arbetstraning": (5, 2, 7),
    "praktik": (2, 5),
    "sfi": (6,),
    "yrkesutbildning": (3, 1),
    "validering": (1,),
    "visstidsanstallning": (10,),
    "supported_employment": (7,),
    "ips": (7,),
    "starta_eget": (8,),
}

KARTLAGGNING_SHARE = 0.97
EXTRA_BASE, EXTRA_PER_MONTH = 1.0, 0.22  # Poisson mean of further insatser: base + per month registered
PLANNED_EMPTY = 0.05
SINGLE_DAY_SHARE = 0.01
SAME_TYPE_SHARE = 0.012
CHAINED_SHARE = 0.04
_DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Insatser:
    """The history, sorted by startdatum (then registration); row i has insats_id number i + 1."""

    reg: IntArray  # index into Registrations
    typ: IntArray
    extern: IntArray  # bool
    anordnare: IntArray  # index into ANORDNARE, -1 for empty
    start: IntArray
    planned: IntArray  # planerat_slutdatum or MISSING
    slut: IntArray  # the end in the full history
    tod: IntArray

    @property
    def n(self) -> int:
        return self.start.size


def _timed(
    rng: np.random.Generator, typ: IntArray, start: IntArray, reg_end: IntArray
) -> tuple[IntArray, IntArray]:
    """Planned and actual end: a plan of the type's usual length; reality runs shorter or longer."""
    n = typ.size
    plan_days = np.round(rng.uniform(PLAN_LO[typ], PLAN_HI[typ]) * _DAYS_PER_MONTH).astype(np.int64)
    actual = np.round(plan_days * rng.lognormal(0.0, 0.35, n)).astype(np.int64)
    return start + plan_days, np.minimum(start + np.maximum(actual, 1), reg_end)


def _further_types(rng: np.random.Generator, malgrupp: IntArray) -> IntArray:
    typ = weighted_choice(rng, WEIGHT, malgrupp.size)
    u = rng.random(malgrupp.size)
    sfi_group = (malgrupp == MALGRUPPER.index("sfi")) | (malgrupp == MALGRUPPER.index("etablering"))
    typ = np.where(sfi_group & (u < 0.3), _T["sfi"], typ)
    disabled = malgrupp == MALGRUPPER.index("funktionsnedsattning")
    typ = np.where(disabled & (u < 0.15), _T["supported_employment"], typ)
    return np.where(disabled & (u >= 0.15) & (u < 0.3), _T["ips"], typ)


def make_insatser(rng: np.random.Generator, regs: Registrations, uttag: int, horizon: int) -> Insatser:
    ins, avs = regs.ins, regs.avs
    length = avs - ins

    # Kartläggning from day one.
    k_reg = pick(rng, np.arange(regs.n), KARTLAGGNING_SHARE)
    k_start = ins[k_reg]
    k_planned = k_start + rng.integers(14, 43, k_reg.size)
    k_slut = np.minimum(k_start + rng.integers(5, 50, k_reg.size), avs[k_reg])

    # Further insatser, more for longer registrations, starting more often early than late.
    months = np.minimum(length, 730) / _DAYS_PER_MONTH
    count = rng.poisson(EXTRA_BASE + EXTRA_PER_MONTH * months)
    f_reg = np.repeat(np.arange(regs.n), count)
    f_typ = _further_types(rng, regs.malgrupp[f_reg])
    f_start = ins[f_reg] + np.floor(rng.random(f_reg.size) ** 1.4 * length[f_reg]).astype(np.int64)
    f_planned, f_slut = _timed(rng, f_typ, f_start, avs[f_reg])

    # Single-day insatser (a recruitment day, a validation test): start = end.
    one_day_types = np.isin(f_typ, [_T["matchning"], _T["jobbsok"], _T["vagledning"], _T["validering"]])
    one_day = pick(rng, np.flatnonzero(one_day_types & (f_start <= uttag)), SINGLE_DAY_SHARE)
    f_slut[one_day] = f_start[one_day]
    f_planned[one_day] = f_start[one_day]

    # Two of the same type at once: a second one starting while the first runs.
    base = pick(rng, np.flatnonzero(f_start <= uttag), SAME_TYPE_SHARE)
    s_reg, s_typ = f_reg[base], f_typ[base]
    s_start = np.minimum(f_start[base] + rng.integers(0, f_slut[base] - f_start[base] + 1), uttag)
    s_planned, s_slut = _timed(rng, s_typ, s_start, avs[s_reg])

    # An insats that starts on the day another ends (praktik after arbetsträning, ...).
    all_reg = np.concatenate([k_reg, f_reg])
    all_slut = np.concatenate([k_slut, f_slut])
    before = pick(rng, np.flatnonzero((all_slut < avs[all_reg]) & (all_slut <= uttag)), CHAINED_SHARE)
    c_reg = all_reg[before]
    c_start = all_slut[before]
    c_typ = weighted_choice(
        rng, np.where(np.arange(WEIGHT.size) == _T["kartlaggning"], 0, WEIGHT), c_reg.size
    )
    c_planned, c_slut = _timed(rng, c_typ, c_start, avs[c_reg])

    reg = np.concatenate([k_reg, f_reg, s_reg, c_reg])
    typ = np.concatenate([np.full(k_reg.size, _T["kartlaggning"]), f_typ, s_typ, c_typ])
    start = np.concatenate([k_start, f_start, s_start, c_start])
    planned = np.concatenate([k_planned, f_planned, s_planned, c_planned])
    slut = np.concatenate([k_slut, f_slut, s_slut, c_slut])

    keep = start <= horizon  # the rest has not happened in any snapshot
    order = np.flatnonzero(keep)[np.lexsort((typ[keep], reg[keep], start[keep]))]
    reg, typ, start, planned, slut = reg[order], typ[order], start[order], planned[order], slut[order]
    n = order.size

    planned = np.where(exact_choice(rng, n, (1 - PLANNED_EMPTY, PLANNED_EMPTY)) == 1, MISSING, planned)
    extern = np.zeros(n, dtype=bool)
    anordnare = np.full(n, -1)
    for t, name in enumerate(INSATSTYPER):  # a loop over the 15 types, each step vectorised
        rows = np.flatnonzero(typ == t)
        if rows.size == 0:
            continue
        ext = exact_choice(rng, rows.size, (EGEN_SHARE[t], 1 - EGEN_SHARE[t])) == 1
        extern[rows] = ext
        providers = np.array(_TYPE_PROVIDERS[name])
        city = np.where(rng.random(rows.size) < 0.4, ANORDNARE.index(CITY_UNIT), -1)
        anordnare[rows] = np.where(ext, providers[rng.integers(0, providers.size, rows.size)], city)
    tod = rng.integers(7 * 3600, 18 * 3600, n)
    spelling = rng.random(n)
    without = extern & (spelling < WITHOUT_PROVIDER_SHARE)
    variant = extern & ~without & (spelling < WITHOUT_PROVIDER_SHARE + VARIANT_SHARE)
    anordnare = np.where(variant, anordnare + len(PROVIDERS) + 1, np.where(without, -1, anordnare))

    return Insatser(
        reg=reg,
        typ=typ,
        extern=extern,
        anordnare=anordnare,
        start=start,
        planned=planned,
        slut=slut,
        tod=tod,
    )
