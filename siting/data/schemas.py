"""Column specifications of the data layers, with the unit of every column.

The same specifications validate the embedded default data and any user file that replaces a layer, so a bad
file fails at the boundary with the file, column, CSV lines and a fix (see :func:`validate`). The checks
themselves are those of :mod:`siting.io._validate`, the one validation module that the readers of public
formats use too; every problem of a table is reported at once. The columns and units are documented for
users in ``docs/data-layers.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import InputError
from ..io._validate import (
    Problems,
    check_allowed,
    check_lat_lon,
    check_not_empty,
    check_pattern,
    check_range,
    check_unique,
    check_whole,
    csv_line_index,
    to_bool,
    to_numeric,
)

SUPPLY_KINDS = ("utility_tariff", "solar_ppa", "wind_ppa", "firm_clean_ppa", "onsite_gas", "battery")
LINE_COST_REGIONS = ("MISO", "Southeast", "TEPPC", "SCE")


@dataclass(frozen=True)
class Column:
    """One column: type, unit, physical range and the rules it must follow.

    ``kind`` is ``float``, ``int`` (whole numbers: ids, years), ``str`` or ``bool``; ``unit`` is the short
    unit named in messages and ``desc`` what the value means; ``lo``/``hi`` bound a number (inclusive);
    ``nullable`` allows blanks; ``required=False`` lets the column be absent.
    """

    kind: str = "float"
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    required: bool = True
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: tuple[str, str] | None = None  # (regular expression, example)
    desc: str = ""

    @property
    def description(self) -> str:
        """Unit and meaning, for the documentation."""
        return ", ".join(x for x in (self.unit, self.desc) if x)


@dataclass(frozen=True)
class Layer:
    """A table layer: its columns, whether it may have no rows, and whether it has ``lat``/``lon`` points."""

    name: str
    columns: dict[str, Column]
    allow_empty: bool = False
    points: bool = False


def _num(unit: str, lo: float | None = 0.0, hi: float | None = None, **kw) -> Column:
    """A float column in ``unit``, ``≥ 0`` unless told otherwise."""
    return Column("float", unit, lo, hi, **kw)


def _opt(unit: str, lo: float | None = 0.0, hi: float | None = None, desc: str = "") -> Column:
    """An optional, nullable float column."""
    return Column("float", unit, lo, hi, required=False, nullable=True, desc=desc)


def _id(unit: str = "id", unique: bool = False) -> Column:
    return Column("int", unit, unique=unique)


def _text(unit: str = "text", **kw) -> Column:
    return Column("str", unit, **kw)


def _point(unit: str) -> Column:
    """``lat``/``lon``: checked together by :func:`~siting.io._validate.check_lat_lon`."""
    return Column("float", unit)


LAT_LON = {"lat": _point("latitude, degrees WGS84"), "lon": _point("longitude, degrees WGS84")}

ZONES = Layer(
    "zones",
    {
        "zone_id": _id("zone id", unique=True),
        "zone_name": _text(),
        "state": _text(),
        "iso": _text(),
        "industrial_price_usd_per_mwh": _num("USD/MWh", 0, 1000),
        "wholesale_price_usd_per_mwh": _num("USD/MWh", -100, 1000),
        "grid_co2_kg_per_mwh": _num("kg CO2/MWh", 0, 1500),
        "interconnection_lead_time_months": _num("months", 0, 240),
        "line_cost_region": _text(allowed=LINE_COST_REGIONS),
        "construction_cost_multiplier": _num("×", 0.3, 3.0),
        "grid_marginal_co2_kg_per_mwh": _opt(
            "kg CO2/MWh", 0, 1500, desc="annual marginal rate (eGRID non-baseload)"
        ),
    },
)

SUBSTATIONS = Layer(
    "substations",
    {
        "substation_id": _id(unique=True),
        "name": _text(nullable=True),
        **LAT_LON,
        "max_voltage_kv": _num("kV", 1, 1200),
        "zone_id": _id("zone id of zones.csv"),
        "headroom_mw": _num("MW", desc="estimated spare capacity for a new load"),
    },
    points=True,
)

CANDIDATE_SITES = Layer(
    "candidate_sites",
    {
        "site_id": _text("site id", unique=True),
        "name": _text(),
        "state": _text("2-letter state"),
        **LAT_LON,
        "zone_id": _id("zone id of zones.csv"),
        "buildable_acres": _num("acres"),
        "land_cost_usd_per_acre": _num("USD per acre"),
        "max_it_mw": _num("IT MW"),
        "permitting_lead_time_months": _num("months", 0, 240),
        "opening_cost_usd_per_year": _opt("USD/year", desc="fixed charge while the site is developed"),
    },
    points=True,
)

POWER_OPTIONS = Layer(
    "power_options",
    {
        "option_id": _text("option id", unique=True),
        "kind": _text(allowed=SUPPLY_KINDS),
        "capex_usd_per_kw": _num("USD/kW", nullable=True),
        "fixed_om_usd_per_kw_year": _num("USD/kW-year", nullable=True),
        "variable_om_usd_per_mwh": _num("USD/MWh", nullable=True),
        "price_usd_per_mwh": _num("USD/MWh", nullable=True),
        "heat_rate_mmbtu_per_mwh": _num("MMBtu/MWh", 0, 30, nullable=True),
        "co2_kg_per_mwh": _num("kg CO2/MWh", nullable=True),
        "lead_time_months": _num("months", 0, 240, nullable=True, desc="from decision to first power"),
        "max_mw": _num("MW", nullable=True),
        "capacity_factor": _num("fraction", 0, 1, nullable=True),
        "life_years": _num("years", 1, 100, nullable=True),
        "nox_kg_per_mwh": _opt("kg NOx/MWh"),
        "salvage_fraction": _opt("fraction", 0, 1, desc="share of capex recovered when the plant is sold"),
        "energy_capex_usd_per_kwh": _opt("USD/kWh", desc="storage energy capex"),
        "round_trip_efficiency": _opt("fraction", 0, 1, desc="battery AC-AC round-trip efficiency"),
    },
)

COSTS = Layer(
    "costs",
    {
        "parameter": _text("parameter name", unique=True),
        "value": _num("", lo=None, desc="in the unit of the row"),
        "unit": _text(),
    },
)

LINE_COSTS = Layer(
    "line_costs",
    {
        "voltage_kv": _num("kV", 1),
        "line_cost_region": _text(),
        "line_cost_usd_per_mile": _num("USD per mile"),
        "substation_upgrade_usd": _num("USD"),
        "line_capacity_mw": _num("MW"),
    },
)

TARIFFS = Layer(
    "tariffs",
    {
        "zone_id": _id("zone id of zones.csv", unique=True),
        "energy_charge_usd_per_mwh": _num("USD/MWh"),
        "demand_charge_usd_per_kw_month": _num("USD/kW-month", desc="on contracted capacity"),
        "min_take_fraction": _opt(
            "fraction", 0, 1, desc="share of contracted MW x hours paid even if unused"
        ),
        "min_take_years": _opt("years", 0, 50, desc="from energization"),
        "standby_charge_usd_per_kw_month": _opt("USD/kW-month", desc="of standby capacity"),
        "price_escalation_per_year": _opt(
            "per year", -0.2, 0.2, desc="real price escalation, fraction per year (0.02 = 2 %/yr)"
        ),
        "price_base_year": Column("int", "calendar year", 1990, 2100, required=False),
    },
    allow_empty=True,
)

PERMITTING = Layer(
    "permitting",
    {
        "state": _text("2-letter state or US", pattern=(r"[A-Za-z]{2}", "TX or US")),
        "base_permitting_months": _num("months", 0, 120),
        "by_right_industrial": Column("bool", required=False),
        "state_siting_board": Column("bool", required=False),
    },
    allow_empty=True,
)

GAS_POINTS = Layer(
    "gas_points",
    {**LAT_LON, "kind": _text(required=False), "capacity_mw": _opt("MW")},
    points=True,
)

SUPPLY_CHAIN = Layer(
    "supply_chain",
    {
        "option_id": _text("option_id of power_options.csv"),
        "year": Column("int", "calendar year", 2000, 2100, desc="year of delivery"),
        "max_new_mw_per_year": _num("MW/year", desc="MW delivered per year (national cap)"),
    },
    allow_empty=True,
)

DEMAND_REGIONS = Layer(
    "demand_regions",
    {
        "region_id": _text("region id", unique=True),
        "name": _text(),
        **LAT_LON,
        "population": _num("people", desc="weights the latency-bound demand"),
    },
    points=True,
)

SITE_REGION_LINKS = Layer(
    "site_region_links",
    {
        "site_id": _text("site_id of candidate_sites"),
        "region_id": _text("region_id of demand_regions"),
        "latency_ms": _num("ms", desc="round-trip time between site and region"),
        "serving_cost_usd_per_mw_year": _num("USD/MW-year", desc="per MW of IT serving the region"),
    },
)

#: Hourly grid CO2 factors (``scenario.grid_carbon.hourly_file``), three forms (siting.features.grid_carbon).
_GRID_CO2 = {
    "zone_id": _id("zone id of zones.csv"),
    "co2_t_per_mwh": _num("t CO2/MWh", 0, 2.0, desc="grid emission factor on the scenario's basis"),
}
GRID_CO2_MONTH_HOUR = Layer(
    "grid_co2_month_hour",
    {
        "zone_id": _GRID_CO2["zone_id"],
        "month": Column("int", "month", 1, 12, desc="calendar month"),
        "hour": Column("int", "hour of day", 0, 23, desc="UTC, hour beginning"),
        "co2_t_per_mwh": _GRID_CO2["co2_t_per_mwh"],
    },
)
GRID_CO2_HOUR_OF_YEAR = Layer(
    "grid_co2_hour_of_year",
    {
        "zone_id": _GRID_CO2["zone_id"],
        "hour_of_year": Column("int", "hour", 0, 8759, desc="0 = 1 January 00:00-01:00 UTC, 365-day year"),
        "co2_t_per_mwh": _GRID_CO2["co2_t_per_mwh"],
    },
)
GRID_CO2_TIMESTAMP = Layer(
    "grid_co2_timestamp",
    {
        "zone_id": _GRID_CO2["zone_id"],
        "timestamp": _text("ISO date-time", desc="start of the hour; with a UTC offset, else taken as UTC"),
        "co2_t_per_mwh": _GRID_CO2["co2_t_per_mwh"],
    },
)

WATER_AVAILABILITY = Layer(
    "water_availability",
    {
        "site_id": _text("site_id of candidate_sites", required=False),
        "state": _text("2-letter state", required=False, pattern=(r"[A-Za-z]{2}", "AZ")),
        "water_available_m3_per_year": _num(
            "m3/year", desc="water the site (or all sites of the state together) may use in a year"
        ),
    },
)

TABLE_SCHEMAS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        ZONES,
        SUBSTATIONS,
        CANDIDATE_SITES,
        POWER_OPTIONS,
        COSTS,
        LINE_COSTS,
        TARIFFS,
        PERMITTING,
        GAS_POINTS,
        SUPPLY_CHAIN,
        DEMAND_REGIONS,
        SITE_REGION_LINKS,
        GRID_CO2_MONTH_HOUR,
        GRID_CO2_HOUR_OF_YEAR,
        GRID_CO2_TIMESTAMP,
        WATER_AVAILABILITY,
    )
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
    """Validate and coerce one table layer; raise one :class:`InputError` naming every problem.

    Every column of the layer's :class:`Layer` is checked (presence, numbers, blanks, range, whole
    numbers, unique ids, allowed values, lat/lon); the error names the file, the column and the CSV
    lines (``line 2`` is the first data row) of the first problem and lists the others.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read.
    layer : str
        Layer name, a key of :data:`TABLE_SCHEMAS`.
    file : path-like
        Where the table came from (for the message).

    Returns
    -------
    DataFrame
        ``df`` (same index) with the specified columns coerced: float, int64, str or bool.
    """
    spec = TABLE_SCHEMAS[layer]
    work = csv_line_index(df)
    missing = [c for c, col in spec.columns.items() if col.required and c not in work.columns]
    if missing:
        raise InputError(
            f"{layer} table lacks required columns {missing}",
            file=file,
            column=missing[0],
            fix=f"add the columns (units in their names) documented for '{layer}' in docs/data-layers.md; "
            f"the file has {', '.join(map(str, list(df.columns)[:20])) or 'no columns'}",
        )
    if not spec.allow_empty:
        check_not_empty(work, file, what=f"{layer} rows")
    problems = Problems()
    out = work.copy()
    if spec.points:
        lat_lon = problems.run(check_lat_lon, work, file)
        if lat_lon is not None:
            out["lat"], out["lon"] = lat_lon
    for name, col in spec.columns.items():
        if name in work.columns and not (spec.points and name in LAT_LON):
            value = _check_column(work, name, col, file, problems)
            if value is not None:
                out[name] = value
    problems.raise_all(f"{layer} table", file)
    return out.set_axis(df.index, axis=0)


def _check_column(df: pd.DataFrame, name: str, col: Column, file, problems: Problems) -> pd.Series | None:
    """Coerce and check one column; problems are recorded, and None returned when it cannot be coerced."""
    if col.kind == "bool":
        return problems.run(to_bool, df, name, file)
    if col.kind == "str":
        values = df[name].astype("string").str.strip()
        if not col.nullable:
            problems.run(_no_blanks, values, file, name)
        if col.allowed:
            problems.run(check_allowed, values, col.allowed, file, name)
        if col.pattern:
            problems.run(check_pattern, values, col.pattern[0], file, name, col.pattern[1])
    else:
        values = problems.run(to_numeric, df, name, file, sentinels=())
        if values is None:
            return None
        n = len(problems.errors)
        problems.run(check_range, values, col.lo, col.hi, file, name, col.unit, allow_nan=col.nullable)
        if col.kind == "int" and len(problems.errors) == n:
            values = problems.run(check_whole, values, file, name)
    if col.unique and values is not None:
        problems.run(check_unique, pd.DataFrame({name: values}), name, file)
    return values if values is None or col.kind != "str" else values.astype(str)


def _no_blanks(values: pd.Series, file, column: str) -> None:
    blank = values.isna() | (values == "")
    if blank.any():
        raise InputError(
            f"{int(blank.sum())} value(s) are blank",
            file=file,
            column=column,
            rows=list(values.index[blank.to_numpy()]),
            fix="fill the column in every row",
        )


#: Variables of the hourly weather file (``data.hourly_weather``) → (unit label, accepted ``units``
#: attributes, lower-case; a variable without a ``units`` attribute is taken to be in the unit of its name).
#: The names and units are those of :func:`siting.io.weather.read_era5`; ``dew_point_c`` may be replaced by
#: ``wet_bulb_c``.
HOURLY_WEATHER_VARIABLES = {
    "dry_bulb_c": ("°C", ("degc", "°c", "c", "celsius", "deg_c")),
    "dew_point_c": ("°C", ("degc", "°c", "c", "celsius", "deg_c")),
    "wet_bulb_c": ("°C", ("degc", "°c", "c", "celsius", "deg_c")),
    "ghi_w_per_m2": ("W m⁻² (hourly mean)", ("w m-2", "w m**-2", "w/m2", "w/m^2", "w m^-2")),
    "wind_speed_100m_m_per_s": ("m s⁻¹ at 100 m", ("m s-1", "m s**-1", "m/s", "m s^-1", "ms-1")),
}
#: Required hourly weather variables; the tuple entries are alternatives (one of them is needed).
HOURLY_WEATHER_REQUIRED = (
    ("dry_bulb_c",),
    ("dew_point_c", "wet_bulb_c"),
    ("ghi_w_per_m2",),
    ("wind_speed_100m_m_per_s",),
)
