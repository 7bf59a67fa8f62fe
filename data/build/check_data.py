#!/usr/bin/env python
"""Check the files in data/ against the contract in docs/data-layers.md.

Usage: python data/build/check_data.py [--data data/]
Needs pandas, geopandas, xarray, h5netcdf (no source packages).
"""
import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

CONTRACT = {
    "zones.csv": ["zone_id", "zone_name", "state", "iso", "interconnect", "egrid_subregion",
                  "industrial_price_usd_per_mwh", "wholesale_price_usd_per_mwh", "grid_co2_kg_per_mwh",
                  "interconnection_lead_time_months", "line_cost_region", "construction_cost_multiplier"],
    "substations.csv": ["substation_id", "name", "lat", "lon", "max_voltage_kv", "zone_id", "load_mw",
                        "generation_mw", "line_rating_mw", "headroom_mw"],
    "candidate_sites.csv": ["site_id", "name", "state", "county_fips", "lat", "lon", "zone_id", "market",
                            "population_density_per_km2", "buildable_acres", "land_cost_usd_per_acre", "max_it_mw",
                            "permitting_lead_time_months", "climate_zone"],
    "power_options.csv": ["option_id", "kind", "name", "capex_usd_per_kw", "fixed_om_usd_per_kw_year",
                          "variable_om_usd_per_mwh", "price_usd_per_mwh", "heat_rate_mmbtu_per_mwh", "co2_kg_per_mwh",
                          "lead_time_months", "max_mw", "capacity_factor", "duration_hours", "life_years",
                          "contract_years"],
    "costs.csv": ["parameter", "value", "unit", "source"],
    "line_costs.csv": ["voltage_kv", "line_cost_region", "line_cost_usd_per_mile", "substation_upgrade_usd",
                       "new_substation_usd", "line_capacity_mw"],
}
NO_NAN = {  # columns that must be complete
    "zones.csv": CONTRACT["zones.csv"], "substations.csv": CONTRACT["substations.csv"],
    "candidate_sites.csv": CONTRACT["candidate_sites.csv"], "costs.csv": CONTRACT["costs.csv"],
    "line_costs.csv": CONTRACT["line_costs.csv"], "power_options.csv": ["option_id", "kind", "name", "life_years"],
}
COSTS = ["construction_capex_usd_per_kw_it", "datacenter_fixed_om_usd_per_kw_it_year", "acres_per_mw_it",
         "gas_price_usd_per_mmbtu", "network_upgrade_usd_per_kw", "route_factor", "construction_lead_time_months",
         "it_utilization"]


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * np.arcsin(np.sqrt(a))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1]))
    d = Path(ap.parse_args(argv).data)
    t = {}
    for f, cols in CONTRACT.items():
        df = pd.read_csv(d / f, dtype={"county_fips": str})
        miss = set(cols) - set(df.columns)
        assert not miss, f"{f}: missing {miss}"
        nan = df[NO_NAN[f]].isna().sum()
        assert nan.sum() == 0, f"{f}: NaN in {nan[nan > 0].to_dict()}"
        t[f] = df
        print(f"{f:28s} rows={len(df):6d} ok")
    z, s, c, po = t["zones.csv"], t["substations.csv"], t["candidate_sites.csv"], t["power_options.csv"]
    assert len(z) == 76 and z.zone_id.is_unique
    assert set(z.line_cost_region) <= {"MISO", "Southeast", "TEPPC", "SCE"}
    assert set(z.interconnect) <= {"Eastern", "Western", "ERCOT"}
    assert s.max_voltage_kv.min() >= 115 and s.substation_id.is_unique
    assert s.headroom_mw.between(0, 2000).all() and set(s.zone_id) <= set(z.zone_id)
    assert len(c) >= 150 and c.site_id.is_unique and set(c.zone_id) <= set(z.zone_id)
    assert c.county_fips.str.fullmatch(r"\d{5}").all()
    assert set(c.market) <= {"established", "emerging", "greenfield"}
    dm = haversine_km(35.1495, -90.0490, c.lat, c.lon)
    memphis = c[dm <= 60]
    assert len(memphis) >= 6 and {"TN", "MS", "AR"} <= set(memphis.state), memphis
    print(f"memphis-area sites (<=60 km): {len(memphis)} {sorted(memphis.site_id)}")
    assert set(po.kind) >= {"utility_tariff", "solar_ppa", "wind_ppa", "firm_clean_ppa", "onsite_gas", "battery"}
    assert set(COSTS) <= set(t["costs.csv"].parameter)
    lc = t["line_costs.csv"]
    assert len(lc) == 20 and set(lc.voltage_kv) == {69, 138, 230, 345, 500}

    lines = gpd.read_file(d / "transmission_lines.geojson")
    assert lines.crs.to_epsg() == 4326 and (lines.geom_type == "LineString").all()
    assert {"line_id", "voltage_kv", "rating_mw", "from_substation_id", "to_substation_id"} <= set(lines.columns)
    assert lines.voltage_kv.min() >= 230 and (lines.to_crs(5070).length > 0).all()
    print(f"transmission_lines.geojson    rows={len(lines):6d} ok")
    st = gpd.read_file(d / "states.geojson")
    assert st.crs.to_epsg() == 4326 and {"state", "name", "fips"} <= set(st.columns) and len(st) == 49
    print(f"states.geojson                rows={len(st):6d} ok")

    ds = xr.open_dataset(d / "climate.nc", engine="h5netcdf")
    for v in ["t2m_c", "t2m_max_c", "t2m_min_c", "wet_bulb_c", "ghi_kwh_per_m2_day", "wind_speed_100m_m_per_s"]:
        assert ds[v].dims == ("month", "lat", "lon"), v
        assert ds[v].where(ds.land).notnull().sum() == ds.land.sum() * 12, f"{v}: NaN over land"
    for v in ["land_cover_igbp", "water_fraction", "urban_fraction", "land"]:
        assert ds[v].dims == ("lat", "lon"), v
    assert ds.land.dtype == bool
    assert list(ds.month.values) == list(range(1, 13))
    for ax in ("lat", "lon"):
        dx = np.diff(ds[ax].values)
        assert np.allclose(dx, 0.25), ax
    assert 24 < ds.lat.min() < 25 and 49 < ds.lat.max() < 50 and -125.5 < ds.lon.min() < -124.5 and -67 < ds.lon.max() < -66
    assert (ds.t2m_max_c >= ds.t2m_min_c).where(ds.land).fillna(True).all()
    assert (ds.wet_bulb_c <= ds.t2m_c + 1e-6).where(ds.land).fillna(True).all()
    print(f"climate.nc dims={dict(ds.sizes)} ok")
    check_speed_layers(d, z, c, po)
    total = sum(f.stat().st_size for f in d.iterdir() if f.is_file())
    print(f"total size of data/ files: {total / 1e6:.2f} MB")
    print("all checks passed")


def check_speed_layers(d: Path, z: pd.DataFrame, c: pd.DataFrame, po: pd.DataFrame) -> None:
    """Tariffs (one row per zone), permitting, gas points, supply chain, and the derived site columns."""
    t = pd.read_csv(d / "tariffs.csv")
    assert t.zone_id.is_unique and set(t.zone_id) == set(z.zone_id), "tariffs: one row per zone"
    money = ["energy_charge_usd_per_mwh", "demand_charge_usd_per_kw_month", "standby_charge_usd_per_kw_month"]
    assert (t[money] >= 0).all().all() and t.min_take_fraction.between(0, 1).all()
    fb = t.merge(z, on="zone_id")
    fb = fb[fb.utility.str.startswith("EIA state average")]
    avg = fb.energy_charge_usd_per_mwh + fb.demand_charge_usd_per_kw_month * 12000 / (8760 * 0.8)
    assert np.allclose(avg, fb.industrial_price_usd_per_mwh, atol=0.02), "fallback split must reproduce EIA"
    print(f"tariffs.csv                   rows={len(t):6d} ok ({len(t) - len(fb)} sourced)")
    p = pd.read_csv(d / "permitting.csv", dtype={"county_fips": str})
    assert "US" in set(p.state) and p.base_permitting_months.between(0, 120).all()
    print(f"permitting.csv                rows={len(p):6d} ok")
    g = pd.read_csv(d / "gas_points.csv")
    assert g.lat.between(24, 50).all() and g.lon.between(-125, -66).all() and (g.capacity_mw > 0).all()
    assert (d / "gas_points.csv").stat().st_size < 300_000
    print(f"gas_points.csv                rows={len(g):6d} ok")
    sc = pd.read_csv(d / "supply_chain.csv")
    assert set(sc.option_id) <= set(po.option_id) and not sc.duplicated(["option_id", "year"]).any()
    assert (sc.max_new_mw_per_year >= 0).all()
    print(f"supply_chain.csv              rows={len(sc):6d} ok")
    assert c.permitting_lead_time_months.between(6, 24).all() and c.dist_gas_km.ge(0).all()
    new = ["nox_kg_per_mwh", "salvage_fraction", "energy_capex_usd_per_kwh", "round_trip_efficiency"]
    assert set(new) <= set(po.columns)


if __name__ == "__main__":
    main()
