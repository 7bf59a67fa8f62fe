"""Interconnection lead-time distributions per ISO / zone (``data/interconnection_delays.csv``).

Each row gives, for one ISO (and optionally one zone of it, which then overrides the ISO row), a lead-time
distribution by its median and 90th percentile in months, from the interconnection request (the
decision date) to energization. Sources and flags: ``data/SOURCES.md``. Used by
:func:`siting.analysis.delays.evaluate_delays`; this module is the only one that reads the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .load import load_zones
from .paths import default_data_dir

DELAYS_FILE = "interconnection_delays.csv"
#: Distribution families understood by the Monte Carlo (lognormal from P50 and P90; P90 = P50 is a fixed value).
DISTRIBUTIONS = ("lognormal",)
DELAY_COLUMNS = ("iso", "zone_id", "distribution", "p50_months", "p90_months", "source", "flag")


def load_interconnection_delays(path: str | Path | None = None) -> pd.DataFrame:
    """The lead-time table: ``iso``, ``zone_id`` (NaN = every zone of the ISO), ``distribution``,
    ``p50_months``, ``p90_months`` (months, 0 < P50 ≤ P90), ``source``, ``flag``.

    Raises :class:`InputError` naming the file, column and CSV lines of a bad row.
    """
    path = Path(path) if path is not None else default_data_dir() / DELAYS_FILE
    if not path.exists():
        raise InputError("interconnection delays file not found", file=path, fix="check the path")
    df = pd.read_csv(path)
    missing = [c for c in DELAY_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"interconnection delays table lacks columns {missing}",
            file=path,
            fix=f"columns: {DELAY_COLUMNS}",
        )
    for col in ("p50_months", "p90_months", "zone_id"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    bad = df["p50_months"].isna() | (df["p50_months"] <= 0) | ~(df["p90_months"] >= df["p50_months"])
    _refuse(bad, path, "p50_months", "give 0 < p50_months ≤ p90_months (months)")
    _refuse(~df["distribution"].isin(DISTRIBUTIONS), path, "distribution", f"use one of {DISTRIBUTIONS}")
    _refuse(df.duplicated(["iso", "zone_id"]), path, "iso", "one row per (iso, zone_id)")
    return df


def _refuse(bad: pd.Series, path: Path, column: str, fix: str) -> None:
    if bad.any():
        rows = [int(i) + 2 for i in np.flatnonzero(bad.to_numpy())]  # CSV line numbers (header = line 1)
        raise InputError(
            f"bad interconnection delay rows in {column}", file=path, column=column, rows=rows, fix=fix
        )


def delay_distributions_by_zone(
    delays: pd.DataFrame | None = None, zones: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One lead-time distribution per zone, indexed by ``zone_id``: a zone's own row if the table has one,
    else its ISO's row (``zones.csv`` maps zone → ISO). Columns as :func:`load_interconnection_delays`.

    Raises :class:`InputError` if a zone's ISO has no row.
    """
    delays = load_interconnection_delays() if delays is None else delays
    zones = load_zones(default_data_dir() / "zones.csv") if zones is None else zones
    by_iso = delays[delays["zone_id"].isna()].set_index("iso")
    by_zone = delays[delays["zone_id"].notna()].set_index("zone_id")
    lacking = sorted(set(zones["iso"]) - set(by_iso.index))
    if lacking:
        raise InputError(
            f"no interconnection delay row for ISO {lacking}",
            file=DELAYS_FILE,
            column="iso",
            fix="add a row for every ISO of zones.csv",
        )
    rows = [
        by_zone.loc[z] if z in by_zone.index else by_iso.loc[iso]
        for z, iso in zip(zones["zone_id"], zones["iso"], strict=True)
    ]
    out = pd.DataFrame(rows).drop(columns=["iso", "zone_id"], errors="ignore")
    out.insert(0, "iso", zones["iso"].to_numpy())
    out.index = pd.Index(zones["zone_id"].astype(int).to_numpy(), name="zone_id")
    return out
