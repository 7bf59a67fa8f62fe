"""Turn a solved model into tidy tables (the build-plan files of docs/plan-format.md)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..features.inputs import ModelInputs
from ..features.timing import year_fraction_to_date
from ..model.build import COST_CATEGORIES

ON = 0.5  # binaries above this are taken as 1
EPS_MW = 1e-6


def _v(x) -> float:
    val = pyo.value(x, exception=False)
    return 0.0 if val is None else float(val)


def capacity_table(m: pyo.ConcreteModel, d: ModelInputs, open_sites: list[str]) -> pd.DataFrame:
    """One row per opened site and year: IT, facility peak, PUE, grid and on-site MW, energy, water."""
    hours = d.periods["hours"]
    rows = []
    for s in open_sites:
        pue_p = d.site_periods.loc[s, "pue"]
        wue_p = d.site_periods.loc[s, "wue_l_per_kwh"]
        for t in d.years:
            it = _v(m.it_mw[s, t])
            gas = sum(_v(m.gen_mw[s, g, t]) for g in m.GAS)
            bat = sum(_v(m.gen_mw[s, g, t]) for g in m.BAT)
            grid_mwh = sum(hours[p] * _v(m.grid_out[s, t, p]) for p in m.P)
            gen_mwh = sum(hours[p] * _v(m.gen_out[s, g, t, p]) for g in m.GAS for p in m.P)
            it_mwh = d.it_utilization * it * float(hours.sum())
            water_m3 = d.it_utilization * it * float((hours * wue_p).sum())  # MWh × L/kWh = m³
            rows.append(
                {
                    "site_id": s,
                    "year": t,
                    "it_mw": it,
                    "facility_mw": it * float(d.sites.at[s, "pue_peak"]),
                    "pue": float((pue_p * hours).sum() / hours.sum()),
                    "pue_peak": float(d.sites.at[s, "pue_peak"]),
                    "grid_mw": _v(m.grid_cap_mw[s, t]),
                    "onsite_mw": gas + bat,
                    "onsite_gas_mw": gas,
                    "battery_mw": bat,
                    "it_mwh": it_mwh,
                    "grid_mwh": grid_mwh,
                    "onsite_mwh": gen_mwh,
                    "water_m3": water_m3,
                }
            )
    cols = [
        "site_id",
        "year",
        "it_mw",
        "facility_mw",
        "pue",
        "pue_peak",
        "grid_mw",
        "onsite_mw",
        "onsite_gas_mw",
        "battery_mw",
        "it_mwh",
        "grid_mwh",
        "onsite_mwh",
        "water_m3",
    ]
    return _clean(pd.DataFrame(rows, columns=cols))


def interconnection_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Chosen site–substation connections with capacity, overnight cost and energization year."""
    rows = []
    for s, b in m.C:
        if _v(m.connect[s, b]) > ON:
            c = d.connections.loc[(s, b)]
            mw = _v(m.conn_mw[s, b])
            sub = d.substations.loc[b]
            rows.append(
                {
                    "site_id": s,
                    "substation_id": int(b),
                    "substation_name": sub["name"],
                    "voltage_kv": float(c["voltage_kv"]),
                    "distance_km": float(c["distance_km"]),
                    "capacity_mw": mw,
                    "substation_headroom_mw": float(sub["headroom_mw"]),
                    "cost_usd": float(c["fixed_cost_usd"] + c["cost_usd_per_mw"] * mw),
                    "lead_time_years": float(c["lead_time_years"]),
                    "available_year": int(c["available_year"]),
                    "substation_lat": float(sub["lat"]),
                    "substation_lon": float(sub["lon"]),
                }
            )
    cols = [
        "site_id",
        "substation_id",
        "substation_name",
        "voltage_kv",
        "distance_km",
        "capacity_mw",
        "substation_headroom_mw",
        "cost_usd",
        "lead_time_years",
        "available_year",
        "substation_lat",
        "substation_lon",
    ]
    return _clean(pd.DataFrame(rows, columns=cols))


def _tranches(series: dict[int, float]) -> list[tuple[int, float]]:
    """(start year, added MW) for every increase of a cumulative capacity series."""
    out, prev = [], 0.0
    for t in sorted(series):
        if series[t] - prev > EPS_MW:
            out.append((t, series[t] - prev))
        prev = max(prev, series[t])
    return out


def contract_table(
    m: pyo.ConcreteModel, d: ModelInputs, capacity: pd.DataFrame, open_sites: list[str]
) -> pd.DataFrame:
    """Every supply arrangement: tariffs per site, PPA tranches per zone, owned gas and battery tranches."""
    last = d.years[-1]
    hours = d.periods["hours"]
    rows = []
    cap = capacity.set_index(["site_id", "year"]) if len(capacity) else None
    for s in open_sites:
        grid = {t: float(cap.loc[(s, t), "grid_mw"]) for t in d.years}
        used = [t for t in d.years if cap.loc[(s, t), "grid_mwh"] > 1e-3]
        if used:
            rows.append(
                {
                    "contract_id": f"tariff-{s}",
                    "kind": "utility_tariff",
                    "site_id": s,
                    "zone": int(d.sites.at[s, "zone_id"]),
                    "mw": max(grid.values()),
                    "start_year": used[0],
                    "end_year": last,
                    "price_usd_per_mwh": float(d.zones.at[d.sites.at[s, "zone_id"], "tariff_usd_per_mwh"]),
                    "capex_usd_per_kw": np.nan,
                    "annual_mwh": float(cap.loc[(s, last), "grid_mwh"]),
                }
            )
        for g in m.G:
            series = {t: _v(m.gen_mw[s, g, t]) for t in d.years}
            gen = d.generators.loc[g]
            running = [t for t in d.years if series[t] > EPS_MW]
            # mean annual MWh over the years the option runs, shared among its tranches by MW
            energy = {
                t: sum(hours[p] * _v(m.gen_out[s, g, t, p]) for p in m.P) if g in m.GAS else 0.0
                for t in running
            }
            share = {t: energy[t] / series[t] for t in running}
            for i, (start, mw) in enumerate(_tranches(series), 1):
                years_on = [t for t in running if t >= start]
                rows.append(
                    {
                        "contract_id": f"{g}-{s}-{i}",
                        "kind": gen["kind"],
                        "site_id": s,
                        "zone": int(d.sites.at[s, "zone_id"]),
                        "mw": mw,
                        "start_year": start,
                        "end_year": min(running[-1], start + int(gen["life_years"]) - 1),
                        "price_usd_per_mwh": float(gen["marginal_cost_usd_per_mwh"])
                        if g in m.GAS
                        else np.nan,
                        "capex_usd_per_kw": float(gen["capex_usd_per_mw"]) / 1000.0,
                        "annual_mwh": mw * float(np.mean([share[t] for t in years_on])) if years_on else 0.0,
                    }
                )
    for k, z in m.K:
        series = {t: _v(m.ppa_mw[k, z, t]) for t in d.years}
        c = d.contracts.loc[(k, z)]
        cf = d.contract_cf.loc[(k, z), "cf"]
        mwh_per_mw = float((cf * hours.reindex(cf.index)).sum())
        years = int(c["contract_years"]) if np.isfinite(c["contract_years"]) else None
        for i, (start, mw) in enumerate(_tranches(series), 1):
            rows.append(
                {
                    "contract_id": f"{k}-z{z}-{i}",
                    "kind": c["kind"],
                    "site_id": None,
                    "zone": int(z),
                    "mw": mw,
                    "start_year": start,
                    "end_year": start + years - 1 if years else last,
                    "price_usd_per_mwh": float(c["strike_usd_per_mwh"]),
                    "capex_usd_per_kw": np.nan,
                    "annual_mwh": mw * mwh_per_mw,
                }
            )
    cols = [
        "contract_id",
        "kind",
        "site_id",
        "zone",
        "mw",
        "start_year",
        "end_year",
        "price_usd_per_mwh",
        "capex_usd_per_kw",
        "annual_mwh",
    ]
    return _clean(pd.DataFrame(rows, columns=cols))


def timeline_table(
    m: pyo.ConcreteModel, d: ModelInputs, capacity: pd.DataFrame, inter: pd.DataFrame, open_sites: list[str]
) -> pd.DataFrame:
    """Milestones of every phase: permitting, interconnection and/or on-site power, construction, energization.

    Dates follow :mod:`siting.features.timing`: tasks start on 1 January of the decision year; a phase
    online in year t is energized on 1 January of t; construction ends at energization.
    """
    start = dt.date(d.decision_year, 1, 1)
    rows = []
    cap = capacity.set_index(["site_id", "year"])
    for s in open_sites:
        site = d.sites.loc[s]
        permit_end = year_fraction_to_date(d.decision_year + float(site["permitting_lead_time_years"]))
        build_years = float(site["construction_lead_time_years"])
        link = inter[inter["site_id"] == s]
        phases = {t: int(round(_v(m.phases[s, t]))) for t in d.years}
        done = 0
        for t in d.years:
            for k in range(done + 1, phases[t] + 1):
                energized = dt.date(t, 1, 1)
                build_start = year_fraction_to_date(t - build_years)
                phase = f"{s}-P{k}"
                base = {"site_id": s, "phase": phase, "it_mw": d.phase_mw, "online_year": t}
                rows.append({**base, "milestone": "permitting", "start": start, "end": permit_end})
                grid_now = float(cap.loc[(s, t), "grid_mw"]) > EPS_MW
                if grid_now and len(link):
                    lead = float(link["lead_time_years"].iloc[0])
                    rows.append(
                        {
                            **base,
                            "milestone": "interconnection",
                            "start": start,
                            "end": year_fraction_to_date(d.decision_year + lead),
                            "detail": f"substation {int(link['substation_id'].iloc[0])}",
                        }
                    )
                present = [g for g in m.G if _v(m.gen_mw[s, g, t]) > EPS_MW]
                if present:
                    lead = min(float(d.generators.at[g, "lead_time_years"]) for g in present)
                    rows.append(
                        {
                            **base,
                            "milestone": "onsite_power",
                            "start": start,
                            "end": year_fraction_to_date(d.decision_year + lead),
                            "detail": "+".join(present),
                        }
                    )
                rows.append(
                    {**base, "milestone": "construction", "start": max(build_start, start), "end": energized}
                )
                rows.append({**base, "milestone": "energization", "start": energized, "end": energized})
            done = max(done, phases[t])
    cols = ["site_id", "phase", "milestone", "start", "end", "it_mw", "online_year", "detail"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("start", "end"):
        df[c] = pd.to_datetime(df[c]).dt.strftime("%Y-%m-%d")
    return df


def site_table(
    d: ModelInputs, capacity: pd.DataFrame, inter: pd.DataFrame, open_sites: list[str]
) -> gpd.GeoDataFrame:
    """Chosen sites as points with their final IT MW, first online year and substation."""
    last = d.years[-1]
    cap = capacity.set_index(["site_id", "year"])
    rows = []
    for s in open_sites:
        site = d.sites.loc[s]
        online = [t for t in d.years if cap.loc[(s, t), "it_mw"] > EPS_MW]
        link = inter[inter["site_id"] == s]
        rows.append(
            {
                "site_id": s,
                "name": site["name"],
                "state": site["state"],
                "zone": int(site["zone_id"]),
                "zone_name": str(d.zones.at[site["zone_id"], "name"]),
                "it_mw": float(cap.loc[(s, last), "it_mw"]),
                "first_online_year": online[0] if online else None,
                "substation_id": int(link["substation_id"].iloc[0]) if len(link) else None,
                "pue_annual": float(site["pue_annual"]),
                "pue_peak": float(site["pue_peak"]),
                "land_usd_per_mw": float(site["land_usd_per_mw"]),
                "construction_usd_per_mw": float(site["construction_usd_per_mw"]),
                "lat": float(site["lat"]),
                "lon": float(site["lon"]),
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        df = pd.DataFrame(
            columns=["site_id", "name", "zone", "it_mw", "first_online_year", "substation_id", "lat", "lon"]
        )
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def cost_tables(m: pyo.ConcreteModel, d: ModelInputs) -> tuple[dict[str, float], pd.DataFrame]:
    """Present value by category (USD) and by category and year."""
    by_year = pd.DataFrame(
        [{"year": t, "category": c, "pv_usd": _v(m.cost_usd[c, t])} for c in COST_CATEGORIES for t in d.years]
    )
    by_year["pv_usd"] = by_year["pv_usd"].where(by_year["pv_usd"].abs() > 1e-6, 0.0)  # solver noise
    totals = by_year.groupby("category", sort=False)["pv_usd"].sum()
    return {c: float(totals[c]) for c in COST_CATEGORIES}, by_year


def emissions_by_year(m: pyo.ConcreteModel, d: ModelInputs) -> dict[int, float]:
    """Net tCO2 per year: grid purchases at the zone rate, minus contracted clean MWh matched annually in
    the same zone (capped at purchases), plus on-site gas combustion."""
    hours = d.periods["hours"]
    out = {}
    for t in d.years:
        total = 0.0
        for z in m.Z:
            grid_mwh = sum(hours[p] * _v(m.grid_out[s, t, p]) for s in m._sites_of_zone[z] for p in m.P)
            clean = sum(
                hours[p] * float(m._cf[(k, z, p)]) * _v(m.ppa_mw[k, z, t])
                for (k, _) in m._contracts_of_zone[z]
                for p in m.P
            )
            total += (grid_mwh - min(grid_mwh, clean)) * float(d.zones.at[z, "grid_co2_t_per_mwh"])
        total += sum(
            hours[p] * _v(m.gen_out[s, g, t, p]) * float(d.generators.at[g, "co2_t_per_mwh"])
            for s in m.S
            for g in m.GAS
            for p in m.P
        )
        out[t] = total
    return out


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Round solver noise (|x| < 1e-7) to zero in float columns."""
    for c in df.select_dtypes("float").columns:
        df[c] = df[c].where(df[c].isna() | (df[c].abs() > 1e-7), 0.0)
    return df
