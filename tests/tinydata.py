"""A tiny dataset in the exact default-data layout (docs/data-layers.md), written by tests.

Constant, cool climate (5 °C dry-bulb, 3 °C wet-bulb) so that PUE is the economiser value everywhere:
1 + f_elec + f_econ = 1.07, which lets tests derive optima by hand.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from shapely.geometry import LineString, box

import siting


def zone(zone_id: int, name: str, lead_time_years: float, **overrides) -> dict:
    """One zones.csv row: 60 $/MWh tariff, 30 $/MWh wholesale, 500 kg/MWh, given interconnection lead time."""
    row = {
        "zone_id": zone_id,
        "zone_name": name,
        "state": "TN",
        "iso": "TVA",
        "interconnect": "Eastern",
        "egrid_subregion": "SRTV",
        "industrial_price_usd_per_mwh": 60.0,
        "wholesale_price_usd_per_mwh": 30.0,
        "grid_co2_kg_per_mwh": 500.0,
        "interconnection_lead_time_years": lead_time_years,
        "line_cost_region": "Southeast",
        "construction_cost_multiplier": 1.0,
    }
    return {**row, **overrides}


ZONES = [zone(1, "Alpha", 1.0), zone(2, "Beta", 4.0)]

COSTS = {
    "construction_capex_usd_per_kw_it": (10000.0, "USD/kW"),
    "datacenter_fixed_om_usd_per_kw_it_year": (100.0, "USD/kW-year"),
    "acres_per_mw_it": (1.0, "acre/MW"),
    "gas_price_usd_per_mmbtu": (3.0, "USD/MMBtu"),
    "network_upgrade_usd_per_kw": (0.0, "USD/kW"),
    "route_factor": (1.0, "-"),
    "construction_lead_time_years": (1.0, "years"),
    "it_utilization": (1.0, "-"),
    "datacenter_life_years": (20.0, "years"),
    "interconnection_life_years": (20.0, "years"),
    "land_life_years": (20.0, "years"),
}

POWER = [
    {"option_id": "grid", "kind": "utility_tariff", "name": "tariff", "lead_time_years": 0.0},
    {
        "option_id": "recip",
        "kind": "onsite_gas",
        "name": "engines",
        "capex_usd_per_kw": 2000.0,
        "fixed_om_usd_per_kw_year": 0.0,
        "variable_om_usd_per_mwh": 0.0,
        "heat_rate_mmbtu_per_mwh": 10.0,
        "co2_kg_per_mwh": 530.6,
        "lead_time_years": 0.5,
        "max_mw": 1000.0,
        "capacity_factor": 1.0,
        "life_years": 20.0,
    },
    {
        "option_id": "battery4h",
        "kind": "battery",
        "name": "battery",
        "capex_usd_per_kw": 1500.0,
        "fixed_om_usd_per_kw_year": 0.0,
        "lead_time_years": 0.5,
        "max_mw": 500.0,
        "life_years": 15.0,
        "duration_hours": 4.0,
    },
    {
        "option_id": "solar",
        "kind": "solar_ppa",
        "name": "solar PPA",
        "price_usd_per_mwh": 50.0,
        "lead_time_years": 1.0,
        "max_mw": 1000.0,
        "contract_years": 15,
    },
]

LINE_COSTS = [
    {
        "voltage_kv": kv,
        "line_cost_region": "Southeast",
        "line_cost_usd_per_mile": 1.0e6,
        "substation_upgrade_usd": 0.0,
        "new_substation_usd": 0.0,
        "line_capacity_mw": cap,
    }
    for kv, cap in ((138.0, 2000.0), (230.0, 2000.0), (345.0, 2000.0), (500.0, 2000.0))
]


def write_tiny_data(
    directory: Path,
    sites: list[dict],
    substations: list[dict],
    zones: list[dict] | None = None,
    costs: dict | None = None,
    power: list[dict] | None = None,
    t2m_c: float = 5.0,
    wet_bulb_c: float = 3.0,
    tariffs: list[dict] | None = None,
    line_costs: list[dict] | None = None,
) -> Path:
    """Write every default layer into ``directory``; sites/substations need the contract's columns.

    Tariffs default to flat ones (the zone's industrial price as energy charge; no demand, standby or
    minimum-take charges) so that hand derivations stay simple; pass ``tariffs`` rows to test those.
    """
    directory.mkdir(parents=True, exist_ok=True)
    zone_rows = zones or ZONES
    pd.DataFrame(zone_rows).to_csv(directory / "zones.csv", index=False)
    flat = [
        {
            "zone_id": z["zone_id"],
            "utility": "flat test tariff",
            "energy_charge_usd_per_mwh": z["industrial_price_usd_per_mwh"],
            "demand_charge_usd_per_kw_month": 0.0,
            "min_take_fraction": 0.0,
            "min_take_years": 0.0,
            "standby_charge_usd_per_kw_month": 0.0,
            "price_escalation_per_year": 0.0,
            "price_base_year": 2024,
        }
        for z in zone_rows
    ]
    by_zone = {r["zone_id"]: r for r in flat}
    for r in tariffs or []:
        by_zone[r["zone_id"]] = {**by_zone.get(r["zone_id"], {}), **r}
    pd.DataFrame(list(by_zone.values())).to_csv(directory / "tariffs.csv", index=False)
    site_defaults = {
        "county_fips": "47157",
        "market": "test",
        "population_density_per_km2": 10.0,
        "buildable_acres": 1000.0,
        "land_cost_usd_per_acre": 0.0,
        "max_it_mw": 500.0,
        "permitting_lead_time_years": 0.0,
        "climate_zone": "4A",
        "state": "TN",
        "zone_id": 1,
    }
    pd.DataFrame([{**site_defaults, **s} for s in sites]).to_csv(
        directory / "candidate_sites.csv", index=False
    )
    sub_defaults = {
        "name": "sub",
        "max_voltage_kv": 230.0,
        "zone_id": 1,
        "load_mw": 0.0,
        "generation_mw": 0.0,
        "line_rating_mw": 1000.0,
    }
    subs = pd.DataFrame([{**sub_defaults, **s} for s in substations])
    subs.to_csv(directory / "substations.csv", index=False)
    lines = gpd.GeoDataFrame(
        {
            "line_id": [1],
            "voltage_kv": [230.0],
            "rating_mw": [400.0],
            "from_substation_id": [0],
            "to_substation_id": [0],
        },
        geometry=[LineString([(-90.0, 35.0), (-89.0, 35.0)])],
        crs="EPSG:4326",
    )
    lines.to_file(directory / "transmission_lines.geojson", driver="GeoJSON")
    cost_map = {**COSTS, **(costs or {})}
    pd.DataFrame(
        [{"parameter": k, "value": v[0], "unit": v[1], "source": "test"} for k, v in cost_map.items()]
    ).to_csv(directory / "costs.csv", index=False)
    pd.DataFrame(power or POWER).to_csv(directory / "power_options.csv", index=False)
    pd.DataFrame(line_costs or LINE_COSTS).to_csv(directory / "line_costs.csv", index=False)
    lat = np.arange(33.0, 37.01, 0.25)
    lon = np.arange(-92.0, -87.99, 0.25)
    shape = (12, lat.size, lon.size)
    ds = xr.Dataset(
        {
            "t2m_c": (("month", "lat", "lon"), np.full(shape, t2m_c)),
            "t2m_max_c": (("month", "lat", "lon"), np.full(shape, t2m_c)),
            "t2m_min_c": (("month", "lat", "lon"), np.full(shape, t2m_c)),
            "wet_bulb_c": (("month", "lat", "lon"), np.full(shape, wet_bulb_c)),
            "ghi_kwh_per_m2_day": (("month", "lat", "lon"), np.full(shape, 5.0)),
            "wind_speed_100m_m_per_s": (("month", "lat", "lon"), np.full(shape, 7.0)),
            "land_cover_igbp": (("lat", "lon"), np.full(shape[1:], 12, dtype="int16")),
            "water_fraction": (("lat", "lon"), np.zeros(shape[1:])),
            "urban_fraction": (("lat", "lon"), np.zeros(shape[1:])),
            "land": (("lat", "lon"), np.ones(shape[1:], dtype=bool)),
        },
        coords={"month": np.arange(1, 13), "lat": lat, "lon": lon},
    )
    ds.to_netcdf(directory / "climate.nc", engine="h5netcdf")
    states = gpd.GeoDataFrame(
        {"state": ["TN"], "name": ["Tennessee"], "fips": ["47"]},
        geometry=[box(-92.0, 33.0, -88.0, 37.0)],
        crs="EPSG:4326",
    )
    states.to_file(directory / "states.geojson", driver="GeoJSON")
    return directory


# ------------------------------------------------------------------ the latency case (two sites, two regions)
#: cheap site at lon −90 (zone 1, construction × 1.0), dear site at lon −89.5 (zone 2, × 1.2), both at lat 35
LATENCY_SITES = [
    {"site_id": "cheap", "name": "Cheap", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100},
    {"site_id": "dear", "name": "Dear", "lat": 35.0, "lon": -89.5, "zone_id": 2, "max_it_mw": 100},
]
LATENCY_SUBS = [
    {"substation_id": 1, "lat": 35.0, "lon": -90.0, "zone_id": 1, "headroom_mw": 500},
    {"substation_id": 2, "lat": 35.0, "lon": -89.5, "zone_id": 2, "headroom_mw": 500},
]
LATENCY_ZONES = [zone(1, "Cheap", 1.0), zone(2, "Dear", 1.0, construction_cost_multiplier=1.2)]
#: region west at the cheap site; region east at lon −89.0 (0.5° east of the dear site, 1° of the cheap one)
LATENCY_REGIONS = pd.DataFrame(
    {
        "region_id": ["west", "east"],
        "name": ["West", "East"],
        "lat": [35.0, 35.0],
        "lon": [-90.0, -89.0],
        "population": [1000, 1000],
    }
)


def latency_scenario(**kw):
    """The latency case's scenario: 100 MW due from 2027, yearly steps 2027–2030, tariff only, no warm start."""
    base = dict(
        name="lat",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2030},
        phase_mw=50,
        targets_it_mw={2027: 100},
        min_sites=0,
        power_options=["utility_tariff"],
        solver={"time_limit_seconds": 60, "mip_gap": 1e-6, "warm_start_sites": 0},
        time_steps={"quarterly_months": 0},
    )
    base.update(kw)
    return siting.Scenario(**base)
