"""Time as dates: lead times in months, ready dates, and the build-out time grid ("steps").

Conventions
-----------
- Planning, permit applications, queue requests and equipment orders start on the scenario's
  ``decision_date``. A task of ``L`` months that starts on date ``d`` is done on ``add_months(d, L)``:
  whole calendar months (the day clipped to the month's length) plus the fraction × 30.4375 days.
- The model's time grid is a list of consecutive **steps** ``[start, end)``: calendar months first, then
  calendar quarters, then calendar years (:func:`build_steps`). Every target date and every 1 January is
  a step boundary, so a target date is met exactly and a step never spans two calendar years.
- Capacity counts in a step when it is ready on or before the step's start (:func:`first_step`). The
  energization date of a phase is the start of its first step, a real date (not rounded to 1 January
  unless the grid is yearly there).
- Money is discounted from the decision date with :func:`years_between` (exact whole years between
  equal calendar days, fractional within a year by day of year).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

HOURS_PER_YEAR = 8760  # a 365-day year (the typical year of the climate layer)
MONTHS_PER_YEAR = 12.0
DAYS_PER_MONTH_AVG = 365.25 / 12.0  # 30.4375 days
#: Days of each month in a 365-day typical year (the climate's year: Feb 29 is dropped).
TYPICAL_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def add_months(start: dt.date, months: float) -> dt.date:
    """Date ``months`` after ``start``: whole calendar months, then the fraction × 30.4375 days.

    ``add_months(2026-01-31, 1) = 2026-02-28``; ``add_months(2026-01-01, 4) = 2026-05-01``;
    ``add_months(2026-01-01, 1.5) = 2026-02-16`` (15.2 days rounded to 15).
    """
    if months < 0 or not math.isfinite(months):
        raise ValueError(f"months must be finite and ≥ 0, got {months}")
    whole = math.floor(months + 1e-9)
    frac = max(0.0, months - whole)
    return start + relativedelta(months=whole) + dt.timedelta(days=round(frac * DAYS_PER_MONTH_AVG))


def ready_dates(start: dt.date, months) -> np.ndarray:
    """Vectorised :func:`add_months` over an array of lead times (months) → ``datetime64[D]`` array."""
    m = np.asarray(months, dtype=float)
    out = np.empty(m.shape, dtype="datetime64[D]")
    for value in np.unique(m):
        out[m == value] = np.datetime64(add_months(start, float(value)), "D")
    return out


def years_between(d0: dt.date, d1: dt.date) -> float:
    """Years from ``d0`` to ``d1``: whole years between calendar years plus the day-of-year fractions.

    Exact integers between equal calendar days (1 Jan → 1 Jan), so yearly steps discount as
    ``(1 + r)^-(t - t0)``.
    """

    def frac(d: dt.date) -> float:
        n = 366 if calendar.isleap(d.year) else 365
        return (d.timetuple().tm_yday - 1) / n

    return (d1.year - d0.year) + frac(d1) - frac(d0)


def _month_starts(a: dt.date, b: dt.date, every: int) -> list[dt.date]:
    """First days of months in ``[a, b)`` whose month index is a multiple of ``every`` (1 or 3)."""
    out, d = [], dt.date(a.year, a.month, 1)
    while d < b:
        if d >= a and (d.month - 1) % every == 0:
            out.append(d)
        d += relativedelta(months=1)
    return out


def build_steps(
    decision: dt.date,
    start: dt.date,
    end: dt.date,
    boundaries: list[dt.date] | tuple = (),
    monthly_months: int = 0,
    quarterly_months: int = 24,
) -> pd.DataFrame:
    """The time grid: consecutive steps ``[start, end)`` (see the module docstring).

    Parameters
    ----------
    decision : date
        Decision date; months and quarters are counted from it.
    start, end : date
        First modelled day and the day after the last (end exclusive).
    boundaries : dates
        Extra boundaries (target dates).
    monthly_months, quarterly_months : int
        Calendar months up to ``decision + monthly_months`` months, calendar quarters up to
        ``decision + quarterly_months`` months, calendar years after.

    Returns
    -------
    DataFrame indexed by ``step`` (0, 1, …) with ``start``, ``end`` (Timestamps, end exclusive),
    ``days``, ``year`` (calendar year of the step), ``years`` (length as a fraction of a typical year:
    the covered fraction of each calendar month × its typical-year days / 365, so the steps of a full
    year sum to exactly 1) and ``resolution`` (``month``, ``quarter`` or ``year``).
    """
    if end <= start:
        raise ValueError(f"end {end} must be after start {start}")
    month_end = add_months(decision, monthly_months)
    quarter_end = max(month_end, add_months(decision, quarterly_months))
    cuts = {start, end}
    cuts.update(dt.date(y, 1, 1) for y in range(start.year + 1, end.year + 1))
    cuts.update(_month_starts(start, min(month_end, end), 1))
    cuts.update(_month_starts(start, min(quarter_end, end), 3))
    cuts.update(b for b in boundaries if start < b < end)
    if month_end > start and month_end < end:
        cuts.add(month_end if month_end.day == 1 else dt.date(month_end.year, month_end.month, 1))
    edges = sorted(c for c in cuts if start <= c <= end)
    starts, ends = edges[:-1], edges[1:]
    res = ["month" if s < month_end else ("quarter" if s < quarter_end else "year") for s in starts]
    frac = month_overlap(pd.to_datetime(starts), pd.to_datetime(ends))
    steps = pd.DataFrame(
        {
            "start": pd.to_datetime(starts),
            "end": pd.to_datetime(ends),
            "days": [(e - s).days for s, e in zip(starts, ends, strict=True)],
            "year": [s.year for s in starts],
            "years": frac @ (TYPICAL_DAYS_IN_MONTH / 365.0),
            "resolution": res,
        },
        index=pd.Index(np.arange(len(starts)), name="step"),
    )
    return steps


def month_overlap(starts: pd.DatetimeIndex, ends: pd.DatetimeIndex) -> np.ndarray:
    """Fraction of each calendar month (columns 1–12) covered by each step ``[start, end)`` (rows).

    Steps lie within one calendar year (1 January is always a boundary), so column ``m`` is the share of
    month ``m`` of the step's own year.
    """
    out = np.zeros((len(starts), 12))
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        for m in range(1, 13):
            m0 = pd.Timestamp(s.year, m, 1)
            m1 = m0 + pd.offsets.MonthBegin(1)
            overlap = (min(e, m1) - max(s, m0)).days
            if overlap > 0:
                out[i, m - 1] = overlap / (m1 - m0).days
    return out


def first_step(step_starts, ready) -> np.ndarray:
    """Index of the first step whose start is on or after each ready date (``len(steps)`` if none).

    ``step_starts`` sorted ascending (datetime64); ``ready`` an array of datetime64 dates.
    """
    starts = np.asarray(step_starts, dtype="datetime64[D]")
    return np.searchsorted(starts, np.asarray(ready, dtype="datetime64[D]"), side="left")


def first_online_year(decision_year: int, lead_time_years):
    """First calendar year whose 1 January is at least ``lead_time_years`` after 1 January of
    ``decision_year`` (``ceil``, 1e-9 tolerance; vectorised). Kept for yearly summaries."""
    t = np.asarray(lead_time_years, dtype=float)
    out = np.ceil(decision_year + t - 1e-9).astype(int)
    return out if out.ndim else int(out)


def year_fraction_to_date(year_float: float) -> dt.date:
    """Calendar date at a fractional year (e.g. 2027.5 → 2027-07-02), days rounded down."""
    year = math.floor(year_float + 1e-12)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=int((year_float - year) * days + 1e-9))
