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


def _nonneg_opt(desc: str) -> pa.Column:
    """An optional, nullable, non-negative float column."""
    return Col(float, [Chk.ge(0)], coerce=True, nullable=True, required=False, description=desc)


def _fraction(desc: str, required: bool = True) -> pa.Column:
    return Col(float, [Chk.in_range(0, 1)], coerce=True, required=required, description=desc)


ZONES = pa.DataFrameSchema(
    {
        "zone_id": Col(int, unique=True, coerce=True, description="zone id"),
        "zone_name": Col(str, coerce=True),
        "state": Col(str, coerce=True),
        "iso": Col(str, coerce=True),
        "industrial_price_usd_per_mwh": Col(float, [Chk.in_range(0, 1000)], coerce=True),
        "wholesale_price_usd_per_mwh": Col(float, [Chk.in_range(-100, 1000)], coerce=True),
        "grid_co2_kg_per_mwh": Col(float, [Chk.in_range(0, 1500)], coerce=True),
        "interconnection_lead_time_months": Col(
            float,
            [Chk.in_range(0, 240)],
            coerce=True,
            description="months (a legacy interconnection_lead_time_years column is converted x 12)",
        ),
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
        "permitting_lead_time_months": Col(
            float,
            [Chk.in_range(0, 240)],
            coerce=True,
            description="months (a legacy permitting_lead_time_years column is converted x 12)",
        ),
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
        "lead_time_months": Col(
            float,
            [Chk.in_range(0, 240)],
            coerce=True,
            nullable=True,
            description="months from decision to first power; the tariff uses the zone's",
        ),
        "max_mw": _nonneg("MW", nullable=True),
        "capacity_factor": Col(float, [Chk.in_range(0, 1)], coerce=True, nullable=True),
        "life_years": Col(float, [Chk.in_range(1, 100)], coerce=True, nullable=True),
        "nox_kg_per_mwh": Col(
            float, [Chk.ge(0)], coerce=True, nullable=True, required=False, description="kg NOx/MWh"
        ),
        "salvage_fraction": Col(
            float,
            [Chk.in_range(0, 1)],
            coerce=True,
            nullable=True,
            required=False,
            description="share of capex recovered when the plant is sold, 0-1",
        ),
        "energy_capex_usd_per_kwh": _nonneg_opt("USD/kWh of storage energy"),
        "round_trip_efficiency": Col(
            float,
            [Chk.in_range(0, 1)],
            coerce=True,
            nullable=True,
            required=False,
            description="battery AC-AC round-trip efficiency, 0-1",
        ),
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

TARIFFS = pa.DataFrameSchema(
    {
        "zone_id": Col(int, unique=True, coerce=True, description="zone id of zones.csv"),
        "energy_charge_usd_per_mwh": _nonneg("USD/MWh"),
        "demand_charge_usd_per_kw_month": _nonneg("USD/kW-month on contracted capacity"),
        "min_take_fraction": _fraction(
            "share of contracted MW x hours paid as energy even if unused, 0-1", required=False
        ),
        "min_take_years": Col(
            float, [Chk.in_range(0, 50)], coerce=True, required=False, description="years from energization"
        ),
        "standby_charge_usd_per_kw_month": Col(
            float, [Chk.ge(0)], coerce=True, required=False, description="USD/kW-month of standby capacity"
        ),
        "price_escalation_per_year": Col(
            float,
            [Chk.in_range(-0.2, 0.2)],
            coerce=True,
            required=False,
            description="real escalation, fraction per year (0.02 = 2 %/yr)",
        ),
        "price_base_year": Col(
            int, [Chk.in_range(1990, 2100)], coerce=True, required=False, description="calendar year"
        ),
    },
    strict=False,
    name="tariffs",
)

PERMITTING = pa.DataFrameSchema(
    {
        "state": Col(
            str, [Chk.str_matches(r"^[A-Za-z]{2}$")], coerce=True, description="2-letter state or US"
        ),
        "base_permitting_months": Col(float, [Chk.in_range(0, 120)], coerce=True, description="months"),
        "by_right_industrial": Col(bool, coerce=True, required=False),
        "state_siting_board": Col(bool, coerce=True, required=False),
    },
    strict=False,
    name="permitting",
)

GAS_POINTS = pa.DataFrameSchema(
    {
        "lat": _lat(),
        "lon": _lon(),
        "kind": Col(str, coerce=True, required=False),
        "capacity_mw": _nonneg_opt("MW"),
    },
    strict=False,
    name="gas_points",
)

SUPPLY_CHAIN = pa.DataFrameSchema(
    {
        "option_id": Col(str, coerce=True, description="option_id of power_options.csv"),
        "year": Col(int, [Chk.in_range(2000, 2100)], coerce=True, description="calendar year of delivery"),
        "max_new_mw_per_year": _nonneg("MW delivered per year (national cap)"),
    },
    strict=False,
    name="supply_chain",
)

TABLE_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "zones": ZONES,
    "substations": SUBSTATIONS,
    "candidate_sites": CANDIDATE_SITES,
    "power_options": POWER_OPTIONS,
    "costs": COSTS,
    "line_costs": LINE_COSTS,
    "tariffs": TARIFFS,
    "permitting": PERMITTING,
    "gas_points": GAS_POINTS,
    "supply_chain": SUPPLY_CHAIN,
}

REQUIRED_COSTS = {
    "construction_capex_usd_per_kw_it": "USD/kW",
    "datacenter_fixed_om_usd_per_kw_it_year": "USD/kW-year",
    "acres_per_mw_it": "acre/MW",
    "gas_price_usd_per_mmbtu": "USD/MMBtu",
    "network_upgrade_usd_per_kw": "USD/kW",
    "route_factor": "-",
    "construction_lead_time_months": "months",
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
    missing = [c for c, col in schema.columns.items() if col.required and c not in df.columns]
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
