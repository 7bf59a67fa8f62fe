"""Power plants in an EIA-860-like table → a tidy plants table with units.

EIA Form 860 publishes one row per generator (``3_1_Generator_Y20xx``: ``Plant Code``, ``Generator ID``,
``Technology``, ``Nameplate Capacity (MW)``, ``Status``, ``Operating Year``, ``Energy Source 1``) and plant
coordinates in ``2___Plant_Y20xx`` (``Latitude``, ``Longitude``). Save the joined sheet as CSV (or keep it
as ``.xlsx`` when ``openpyxl`` is installed); the loader accepts the EIA spellings, snake_case spellings
(``plant_code``, ``nameplate_mw`` …) and the one-line title row EIA puts above the header.

Status codes (EIA-860 instructions): OP operating, SB standby, OS out of service, OA out of service but
expected back, RE retired, CN cancelled, IP indefinitely postponed, P planned, L regulatory approvals
pending, T approved not under construction, U under construction ≤ 50 %, V under construction > 50 %,
TS construction complete not yet operating, OT other.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from siting.errors import InputError

from ._validate import check_not_empty, check_range, check_unique, find_column, require_column, to_numeric

EIA860_STATUS_CODES = ("OP", "SB", "OS", "OA", "RE", "CN", "IP", "P", "L", "T", "U", "V", "TS", "OT")
PLANT_COLUMNS = [
    "plant_code",
    "generator_id",
    "name",
    "state",
    "lat",
    "lon",
    "technology",
    "energy_source",
    "nameplate_mw",
    "status",
    "operating_year",
]

_SPELLINGS = {
    "plant_code": ["Plant Code", "plant_code", "plant_id_eia", "Plant ID", "plant_id"],
    "generator_id": ["Generator ID", "generator_id"],
    "name": ["Plant Name", "plant_name", "name"],
    "state": ["State", "state"],
    "lat": ["Latitude", "lat"],
    "lon": ["Longitude", "lon", "lng"],
    "technology": ["Technology", "technology", "technology_description"],
    "energy_source": ["Energy Source 1", "energy_source", "energy_source_code_1", "fuel"],
    "nameplate_mw": ["Nameplate Capacity (MW)", "nameplate_mw", "capacity_mw", "nameplate_capacity_mw"],
    "status": ["Status", "status", "operational_status_code"],
    "operating_year": ["Operating Year", "operating_year"],
}


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    for skip in (0, 1, 2):  # EIA sheets carry a title line above the header
        if suffix in (".xlsx", ".xls"):
            df = pd.read_excel(path, skiprows=skip, dtype=str)
        elif suffix == ".parquet":
            return pd.read_parquet(path)
        else:
            df = pd.read_csv(path, skiprows=skip, dtype=str, skipinitialspace=True)
        if find_column(df.columns, _SPELLINGS["plant_code"]) is not None:
            return df
    return df


def read_eia860_plants(path, *, statuses: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Read an EIA-860-like generator (or plant) table.

    Parameters
    ----------
    path : str or Path
        CSV (or ``.xlsx`` / ``.parquet``) with at least plant code, latitude, longitude, technology,
        nameplate capacity (MW) and status.
    statuses : tuple of str, optional
        Keep only these EIA status codes (e.g. ``("OP", "SB")``); default keeps every row.

    Returns
    -------
    pandas.DataFrame
        ``plant_code, generator_id, name, state, lat, lon, technology, energy_source, nameplate_mw, status,
        operating_year``, one row per generator (``generator_id`` is ``<NA>`` in a plant-level table).

    Raises
    ------
    InputError
        Missing columns, coordinates out of range or missing, capacities out of range, unknown status
        codes, or duplicate plant/generator ids.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path")
    raw = _read_table(path)
    check_not_empty(raw, path, "plants")
    cols = _plant_columns(raw, path)
    raw = raw.reset_index(drop=True)
    raw.index = raw.index + 2  # report file line numbers (header is line 1)
    out = _plant_table(raw, cols, path)
    key = (
        out["plant_code"] + "/" + out["generator_id"].fillna("")
        if cols["generator_id"]
        else out["plant_code"]
    )
    check_unique(
        pd.DataFrame({cols["generator_id"] or cols["plant_code"]: key}),
        cols["generator_id"] or cols["plant_code"],
        path,
    )
    if statuses is not None:
        out = out[out["status"].isin([s.upper() for s in statuses])]
    out.attrs["source_file"] = str(path)
    return out[PLANT_COLUMNS].reset_index(drop=True)


def _plant_columns(raw: pd.DataFrame, path: Path) -> dict[str, str | None]:
    """The file's column of each internal column (None when absent); the required ones must exist."""
    cols = {k: find_column(raw.columns, v) for k, v in _SPELLINGS.items()}
    for key in ("plant_code", "lat", "lon", "technology", "nameplate_mw", "status"):
        cols[key] = require_column(raw, _SPELLINGS[key], path, key.replace("_", " "))
    return cols


def _stripped(raw: pd.DataFrame, column: str | None):
    """A column as stripped strings, or ``<NA>`` when the file has no such column."""
    return raw[column].astype("string").str.strip() if column else pd.NA


def _plant_status(raw: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """EIA-860 status codes (upper case); unknown codes raise, naming the rows."""
    status = raw[column].astype("string").str.strip().str.upper()
    unknown = ~status.isin(EIA860_STATUS_CODES)
    if unknown.any():
        raise InputError(
            f"unknown status code(s) {', '.join(sorted(set(status[unknown].fillna('<blank>'))))}",
            file=path,
            column=column,
            rows=list(raw.index[unknown.to_numpy()]),
            fix=f"use the EIA-860 codes {', '.join(EIA860_STATUS_CODES)}",
        )
    return status


def _plant_table(raw: pd.DataFrame, cols: dict[str, str | None], path: Path) -> pd.DataFrame:
    """Internal columns: ids, name, state, lat/lon (degrees), technology, energy source, nameplate (MW,
    0–10,000), status, operating year; each checked."""
    out = pd.DataFrame(index=raw.index)
    out["plant_code"] = raw[cols["plant_code"]].astype("string").str.strip()
    out["generator_id"] = _stripped(raw, cols["generator_id"])
    out["name"] = raw[cols["name"]].astype("string") if cols["name"] else out["plant_code"]
    out["state"] = raw[cols["state"]].astype("string").str.strip().str.upper() if cols["state"] else pd.NA
    for key, lo, hi, unit in (
        ("lat", -90, 90, "degrees"),
        ("lon", -180, 180, "degrees"),
        ("nameplate_mw", 0, 10_000, "MW"),
    ):
        out[key] = to_numeric(raw, cols[key], path)
        check_range(out[key], lo, hi, path, cols[key], unit, allow_nan=False)
    out["technology"] = raw[cols["technology"]].astype("string").str.strip()
    out["energy_source"] = _stripped(raw, cols["energy_source"])
    out["status"] = _plant_status(raw, cols["status"], path)
    out["operating_year"] = (
        to_numeric(raw, cols["operating_year"], path).astype("Int64") if cols["operating_year"] else pd.NA
    )
    return out
