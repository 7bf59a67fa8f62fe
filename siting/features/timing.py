"""Lead-time arithmetic: when a phase, a grid connection or an on-site plant can first deliver.

Convention: planning starts on 1 January of the scenario's ``decision_year``. A task of ``L`` years that
starts then finishes at ``decision_year + L`` (fractional years). Capacity is *online in year t* when it is
energized by 1 January of ``t``, so the first year it can be online is ``ceil(decision_year + L)``.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np


def first_online_year(decision_year: int, lead_time_years):
    """First calendar year (int) in which something with the given lead time (years) can be online.

    ``ceil(decision_year + lead_time_years)``, with a tolerance of 1e-9 years against float noise.
    Vectorised over ``lead_time_years``.
    """
    t = np.asarray(lead_time_years, dtype=float)
    out = np.ceil(decision_year + t - 1e-9).astype(int)
    return out if out.ndim else int(out)


def year_fraction_to_date(year_float: float) -> dt.date:
    """Calendar date at a fractional year (e.g. 2027.5 → 2027-07-02), days rounded down."""
    year = math.floor(year_float + 1e-12)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=int((year_float - year) * days + 1e-9))
