"""Schemas of the data layers (pandera), with the unit of every column.

The same schemas validate the embedded default data and any user file that replaces a layer, so a bad
file fails at the boundary with the file, column, rows and a fix (see :func:`validate`). The columns and
units are documented for users in ``docs/data-layers.md``.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ..errors import InputError

Col = pa.Column
Chk = pa.Check


def _lat() -> pa.Column:
    return Col(float, [Chk.in_range(-90, 90)], coerce=True, description="latitude, degrees WGS84")


def _lon() -> pa.Column:
    return Col(float, [Chk.in_range(-180, 180)], coerce=True, description="longitude, degrees WGS84")


def _nonneg(desc: str, nullable: bool = False) -> pa.Column:
    return Col(float, [Chk.ge(0)], coerce=True, nullable=nullable, description=desc)


ZONES = pa.DataFrameSchema(
    {
        "zone_id": Col(int, unique=True, coerce=True, description="zone id"),
        "zone_name": Col(str, coerce=True),
        "state": Col(str, coerce=True),
        "iso": Col(str, coerce=True),
        "industrial_price_usd_per_mwh": Col(float, [Chk.in_range(0, 1000)], coerce=True),
        "wholesale_price_usd_per_mwh": Col(float, [Chk.in_range(-100, 1000)], coerce=True),
        "grid_co2_kg_per_mwh": Col(float, [Chk.in_range(0, 1500)], coerce=True),
        "interconnection_lead_time_years": Col(float, [Chk.in_range(0, 20)], coerce=True),
        "line_cost_region": Col(str, [Chk.isin(["MISO", "Southeast", "TEPPC", "SCE"])], coerce=True),
        "construction_cost_multiplier": Col(float, [Chk.in_range(0.3, 3.0)], coerce=True),
    },
    strict=False,
    name="zones",
)

SUBSTATIONS = pa.DataFrameSchema(
    {
        "substation_id": Col(int, unique=True, coerce=True),
        "name": Col(str, coerce=True, nullable=True),
        "lat": _lat(),
        "lon": _lon(),
        "max_voltage_kv": Col(float, [Chk.in_range(1, 1200)], coerce=True, description="kV"),
        "zone_id": Col(int, coerce=True),
        "headroom_mw": _nonneg("estimated spare capacity for a new load, MW"),
    },
    strict=False,
    name="substations",
)

CANDIDATE_SITES = pa.DataFrameSchema(
    {
        "site_id": Col(str, unique=True, coerce=True),
        "name": Col(str, coerce=True),
        "state": Col(str, coerce=True),
        "lat": _lat(),
        "lon": _lon(),
        "zone_id": Col(int, coerce=True),
        "buildable_acres": _nonneg("acres"),
        "land_cost_usd_per_acre": _nonneg("USD per acre"),
        "max_it_mw": _nonneg("IT MW"),
        "permitting_lead_time_years": Col(float, [Chk.in_range(0, 20)], coerce=True),
    },
    strict=False,
    name="candidate_sites",
)

POWER_OPTIONS = pa.DataFrameSchema(
    {
        "option_id": Col(str, unique=True, coerce=True),
        "kind": Col(
            str,
            [
                Chk.isin(
                    ["utility_tariff", "solar_ppa", "wind_ppa", "firm_clean_ppa", "onsite_gas", "battery"]
                )
            ],
            coerce=True,
        ),
        "capex_usd_per_kw": _nonneg("USD/kW", nullable=True),
        "fixed_om_usd_per_kw_year": _nonneg("USD/kW-year", nullable=True),
        "variable_om_usd_per_mwh": _nonneg("USD/MWh", nullable=True),
        "price_usd_per_mwh": _nonneg("USD/MWh", nullable=True),
        "heat_rate_mmbtu_per_mwh": Col(float, [Chk.in_range(0, 30)], coerce=True, nullable=True),
        "co2_kg_per_mwh": _nonneg("kg CO2/MWh", nullable=True),
        "lead_time_years": Col(
            float,
            [Chk.in_range(0, 20)],
            coerce=True,
            nullable=True,
            description="years; the tariff uses the zone's",
        ),
        "max_mw": _nonneg("MW", nullable=True),
        "capacity_factor": Col(float, [Chk.in_range(0, 1)], coerce=True, nullable=True),
        "life_years": Col(float, [Chk.in_range(1, 100)], coerce=True, nullable=True),
    },
    strict=False,
    name="power_options",
)

COSTS = pa.DataFrameSchema(
    {
        "parameter": Col(str, unique=True, coerce=True),
        "value": Col(float, coerce=True),
        "unit": Col(str, coerce=True),
    },
    strict=False,
    name="costs",
)

LINE_COSTS = pa.DataFrameSchema(
    {
        "voltage_kv": Col(float, [Chk.gt(0)], coerce=True),
        "line_cost_region": Col(str, coerce=True),
        "line_cost_usd_per_mile": _nonneg("USD per mile"),
        "substation_upgrade_usd": _nonneg("USD"),
        "line_capacity_mw": _nonneg("MW"),
    },
    strict=False,
    name="line_costs",
)

TABLE_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "zones": ZONES,
    "substations": SUBSTATIONS,
    "candidate_sites": CANDIDATE_SITES,
    "power_options": POWER_OPTIONS,
    "costs": COSTS,
    "line_costs": LINE_COSTS,
}

REQUIRED_COSTS = {
    "construction_capex_usd_per_kw_it": "USD/kW",
    "datacenter_fixed_om_usd_per_kw_it_year": "USD/kW-year",
    "acres_per_mw_it": "acre/MW",
    "gas_price_usd_per_mmbtu": "USD/MMBtu",
    "network_upgrade_usd_per_kw": "USD/kW",
    "route_factor": "-",
    "construction_lead_time_years": "years",
    "it_utilization": "-",
}


def validate(df: pd.DataFrame, layer: str, file: object) -> pd.DataFrame:
    """Validate and coerce one table layer; raise :class:`InputError` naming file, column and rows.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read.
    layer : str
        Layer name, a key of :data:`TABLE_SCHEMAS`.
    file : path-like
        Where the table came from (for the message).
    """
    schema = TABLE_SCHEMAS[layer]
    missing = [c for c in schema.columns if c not in df.columns]
    if missing:
        raise InputError(
            f"{layer} table lacks required columns {missing}",
            file=file,
            column=missing[0],
            fix=f"add the columns (units in their names) documented for '{layer}' in docs/data-layers.md",
        )
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = first["column"]
        sub = cases[cases["column"] == column]
        rows = [int(i) + 2 if pd.notna(i) else "?" for i in sub["index"].tolist()]  # +2: header, 1-based
        checks = sorted({str(c) for c in sub["check"].tolist()})
        values = ", ".join(str(v) for v in sub["failure_case"].head(5).tolist())
        desc = schema.columns[column].description if column in schema.columns else None
        unit = f" (unit: {desc})" if desc else ""
        raise InputError(
            f"{layer}: {len(cases)} invalid value(s); column '{column}' fails {checks} with values [{values}]{unit}",
            file=file,
            column=column,
            rows=[f"line {r}" for r in rows],
            fix="correct or remove those rows; values must be numbers in the column's unit, ids unique",
        ) from None
