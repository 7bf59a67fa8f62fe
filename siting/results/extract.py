"""Turn a solved model into tidy tables (the build-plan files of docs/plan-format.md).

Reads only the model's named components (variables, ``it_mw``, ``grid_cap_mw``, ``grid_mwh``,
``emissions_t``, ``cost_usd``) and the :class:`~siting.model.inputs.ModelInputs` tables.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyomo.environ as pyo
from dateutil.relativedelta import relativedelta

from ..features.timing import DAYS_PER_MONTH_AVG, add_months
from ..model.build import COST_CATEGORIES
from ..model.inputs import ModelInputs
from .clean_energy import matched_by_site_period

ON = 0.5  # binaries above this are taken as 1
EPS_MW = 1e-6
#: Share of an interconnection's lead time spent in the queue and studies (to the interconnection
#: agreement); the rest is engineering and construction of the line and substation. Unverified split.
INTERCONNECTION_STUDY_SHARE = 0.5
#: Commissioning of on-site plant: the last quarter of its lead time, at most one month. Unverified.
COMMISSIONING_SHARE, COMMISSIONING_MAX_MONTHS = 0.25, 1.0


def _v(x) -> float:
    val = pyo.value(x, exception=False)
    return 0.0 if val is None else float(val)


def _date(ts) -> dt.date:
    return pd.Timestamp(ts).date()


# ------------------------------------------------------------------------------------------------ capacity
#: Columns of ``capacity_steps.csv`` (docs/plan-format.md), in order.
CAPACITY_STEP_COLUMNS = [
    "site_id",
    "step",
    "step_start",
    "step_end",
    "step_years",
    "year",
    "it_mw",
    "facility_mw",
    "grid_mw",
    "onsite_gas_mw",
    "battery_mw",
    "battery_mwh",
    "firm_supply_mw",
    "it_mwh",
    "facility_mwh",
    "grid_mwh",
    "onsite_mwh",
    "battery_discharge_mwh",
    "water_m3",
]


def capacity_steps_table(m: pyo.ConcreteModel, d: ModelInputs, open_sites: list[str]) -> pd.DataFrame:
    """One row per opened site and step: IT, facility peak, grid and on-site MW, firm supply, energy."""
    rows = []
    steps = d.steps
    step_hours = d.hours_by_step()
    for s in open_sites:
        site = d.sites.loc[s]
        for t in m.T:
            it = _v(m.it_mw[s, t])
            gas = sum(_v(m.gen_mw[s, g, t]) for g in m.GAS)
            bat = sum(_v(m.gen_mw[s, g, t]) for g in m.BAT)
            firm_gas = sum(float(d.generators.at[g, "firm_fraction"]) * _v(m.gen_mw[s, g, t]) for g in m.GAS)
            h = step_hours[t]
            ps = list(h)
            dis = sum(h[p] * _v(m.bat_dis[s, g, t, p]) for g in m.BAT for p in ps) if d.chronological else 0.0
            rows.append(
                {
                    "site_id": s,
                    "step": t,
                    "step_start": steps.at[t, "start"],
                    "step_end": steps.at[t, "end"],
                    "step_years": float(steps.at[t, "years"]),
                    "year": int(steps.at[t, "year"]),
                    "it_mw": it,
                    "facility_mw": it * float(site["pue_peak"]),
                    "grid_mw": _v(m.grid_cap_mw[s, t]),
                    "onsite_gas_mw": gas,
                    "battery_mw": bat,
                    "battery_mwh": sum(_v(m.bat_mwh[s, g, t]) for g in m.BAT),
                    "firm_supply_mw": _v(m.grid_cap_mw[s, t]) + firm_gas + _v(m.bat_firm_mw[s, t]),
                    "it_mwh": d.it_utilization * it * sum(h.values()),
                    "facility_mwh": sum(h[p] * _v(m.facility_avg_mw[s, t, p]) for p in ps),
                    "grid_mwh": _v(m.grid_mwh[s, t]),
                    "onsite_mwh": sum(h[p] * _v(m.gen_out[s, g, t, p]) for g in m.GAS for p in ps),
                    "battery_discharge_mwh": dis,
                    "water_m3": d.it_utilization
                    * it
                    * sum(h[p] * float(d.site_periods.at[(s, p), "wue_l_per_kwh"]) for p in ps),
                }
            )
    df = _clean(pd.DataFrame(rows))
    if df.empty:  # nothing built: the file still has every column
        return pd.DataFrame(columns=CAPACITY_STEP_COLUMNS)
    for c in ("step_start", "step_end"):
        df[c] = pd.to_datetime(df[c]).dt.strftime("%Y-%m-%d")
    return df[CAPACITY_STEP_COLUMNS]


CAPACITY_COLUMNS = [
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
    "battery_mwh",
    "it_mwh",
    "grid_mwh",
    "onsite_mwh",
    "water_m3",
]


def capacity_table(steps_tab: pd.DataFrame, d: ModelInputs) -> pd.DataFrame:
    """One row per site and calendar year: MW at the year's first step, energy and water over the year."""
    if steps_tab.empty:
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    g = steps_tab.sort_values(["site_id", "step"]).groupby(["site_id", "year"], sort=True)
    first = g[["it_mw", "facility_mw", "grid_mw", "onsite_gas_mw", "battery_mw", "battery_mwh"]].first()
    sums = g[["it_mwh", "grid_mwh", "onsite_mwh", "water_m3"]].sum()
    out = first.join(sums).reset_index()
    out["onsite_mw"] = out["onsite_gas_mw"] + out["battery_mw"]
    out["pue"] = out["site_id"].map(d.sites["pue_annual"]).astype(float)
    out["pue_peak"] = out["site_id"].map(d.sites["pue_peak"]).astype(float)
    return out[CAPACITY_COLUMNS]


# ------------------------------------------------------------------------------------------------ grid
def interconnection_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Chosen site–substation connections: circuits, firm and standby MW, cost, energization date."""
    rows = []
    for s, b in m.C:
        if _v(m.connect[s, b]) <= ON:
            continue
        c = d.connections.loc[(s, b)]
        firm, standby = _v(m.firm_mw[s, b]), _v(m.standby_mw[s, b])
        circuits = int(round(_v(m.circuits[s, b])))
        sub = d.substations.loc[b]
        rows.append(
            {
                "site_id": s,
                "substation_id": int(b),
                "substation_name": sub["name"],
                "voltage_kv": float(c["voltage_kv"]),
                "distance_km": float(c["distance_km"]),
                "circuits": circuits,
                "capacity_mw": firm + standby,
                "firm_mw": firm,
                "standby_mw": standby,
                "substation_headroom_mw": float(sub["headroom_mw"]),
                "cost_usd": float(
                    c["circuit_cost_usd"] * circuits
                    + c["substation_cost_usd"]
                    + c["cost_usd_per_mw"] * (firm + standby)
                ),
                "lead_time_months": float(c["lead_time_months"]),
                "energization_date": _date(c["ready_date"]).isoformat(),
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
        "circuits",
        "capacity_mw",
        "firm_mw",
        "standby_mw",
        "substation_headroom_mw",
        "cost_usd",
        "lead_time_months",
        "energization_date",
        "available_year",
        "substation_lat",
        "substation_lon",
    ]
    return _clean(pd.DataFrame(rows, columns=cols))


# ------------------------------------------------------------------------------------------------ contracts
CONTRACT_COLUMNS = [
    "contract_id",
    "kind",
    "option_id",
    "site_id",
    "zone",
    "mw",
    "mwh",
    "start_date",
    "end_date",
    "start_year",
    "end_year",
    "end_reason",
    "price_usd_per_mwh",
    "capex_usd_per_kw",
    "salvage_usd",
    "demand_charge_usd_per_kw_month",
    "min_take_fraction",
    "standby_charge_usd_per_kw_month",
    "annual_mwh",
]


def _holdings(add: list[float], ret: list[float]) -> list[tuple[int, int | None, float]]:
    """Tranches (first step, step retired or None, MW) from additions and retirements, oldest retired first."""
    open_, out = [], []
    for t, (a_raw, r_raw) in enumerate(zip(add, ret, strict=True)):
        a, r = max(0.0, a_raw - r_raw), max(0.0, r_raw - a_raw)  # buying and returning in one step nets out
        left = r
        while left > EPS_MW and open_:
            start, mw = open_[0]
            take = min(mw, left)
            out.append((start, t, take))
            left -= take
            if mw - take > EPS_MW:
                open_[0] = (start, mw - take)
            else:
                open_.pop(0)
        if a > EPS_MW:
            open_.append((t, a))
    return out + [(start, None, mw) for start, mw in open_]


def contract_table(
    m: pyo.ConcreteModel, d: ModelInputs, steps_tab: pd.DataFrame, open_sites: list[str]
) -> pd.DataFrame:
    """Every supply arrangement: a tariff per grid-connected site, on-site plant tranches, PPA tranches."""
    rows = [*_tariff_rows(m, d, steps_tab, open_sites), *_onsite_rows(m, d, open_sites), *_ppa_rows(m, d)]
    df = _clean(pd.DataFrame(rows, columns=CONTRACT_COLUMNS))
    return df


def _step_dates(d: ModelInputs, first: int, retired: int | None) -> tuple[dt.date, dt.date]:
    end = d.steps.at[retired, "start"] if retired is not None else d.steps["end"].iloc[-1]
    return _date(d.steps.at[first, "start"]), _date(end)


def _tariff_rows(m, d: ModelInputs, steps_tab: pd.DataFrame, open_sites: list[str]) -> list[dict]:
    rows = []
    for s in open_sites:
        tab = steps_tab[steps_tab["site_id"] == s]
        used = tab[tab["grid_mw"] > EPS_MW]
        if used.empty:
            continue
        z = d.sites.at[s, "zone_id"]
        tariff = d.zones.loc[z]
        mwh = float(used["grid_mwh"].sum())
        years = float(used["step_years"].sum())
        rows.append(
            {
                "contract_id": f"tariff-{s}",
                "kind": "utility_tariff",
                "option_id": "utility_tariff",
                "site_id": s,
                "zone": int(z),
                "mw": float(used["grid_mw"].max()),
                "mwh": mwh,
                "start_date": used["step_start"].iloc[0],
                "end_date": _date(d.steps["end"].iloc[-1]).isoformat(),
                "start_year": int(used["year"].iloc[0]),
                "end_year": int(d.steps["year"].iloc[-1]),
                "end_reason": "horizon",
                "price_usd_per_mwh": float(tariff["energy_charge_usd_per_mwh"]),
                "capex_usd_per_kw": np.nan,
                "salvage_usd": np.nan,
                "demand_charge_usd_per_kw_month": float(tariff["demand_charge_usd_per_kw_month"]),
                "min_take_fraction": float(tariff["min_take_fraction"]),
                "standby_charge_usd_per_kw_month": float(tariff["standby_charge_usd_per_kw_month"]),
                "annual_mwh": mwh / years if years > 0 else 0.0,
            }
        )
    return rows


def _onsite_rows(m, d: ModelInputs, open_sites: list[str]) -> list[dict]:
    rows = []
    T = list(m.T)
    yrs = d.steps["years"].to_numpy()
    step_hours = d.hours_by_step()
    for s in open_sites:
        for g in m.G:
            gen = d.generators.loc[g]
            add = [_v(m.add_mw[s, g, t]) for t in T]
            ret = [_v(m.ret_mw[s, g, t]) for t in T]
            if max(a - r for a, r in zip(add, ret, strict=True)) <= EPS_MW:
                continue
            stock = np.array([_v(m.gen_mw[s, g, t]) for t in T])
            energy = np.array(
                [
                    sum(h * _v(m.gen_out[s, g, t, p]) for p, h in step_hours[t].items())
                    if g in m.GAS
                    else 0.0
                    for t in T
                ]
            )
            mw_years = float((stock * yrs).sum())
            per_mw_year = float(energy.sum()) / mw_years if mw_years > 0 else 0.0
            for i, (first, retired, mw) in enumerate(_holdings(add, ret), 1):
                start, end = _step_dates(d, first, retired)
                held_years = float(yrs[first : (retired if retired is not None else len(T))].sum())
                reason = "horizon"
                if retired is not None:
                    reason = (
                        "returned"
                        if gen["rental"]
                        else ("sold" if gen["salvage_fraction"] > 0 else "retired")
                    )
                rows.append(
                    {
                        "contract_id": f"{g}-{s}-{i}",
                        "kind": gen["kind"],
                        "option_id": g,
                        "site_id": s,
                        "zone": int(d.sites.at[s, "zone_id"]),
                        "mw": mw,
                        "mwh": mw * per_mw_year * held_years,
                        "start_date": start.isoformat(),
                        "end_date": end.isoformat(),
                        "start_year": start.year,
                        "end_year": (end - dt.timedelta(days=1)).year,
                        "end_reason": reason,
                        "price_usd_per_mwh": float(gen["marginal_cost_usd_per_mwh"])
                        if g in m.GAS
                        else np.nan,
                        "capex_usd_per_kw": float(gen["capex_usd_per_mw"]) / 1000.0,
                        "salvage_usd": float(gen["salvage_fraction"] * gen["capex_usd_per_mw"] * mw)
                        if reason == "sold"
                        else 0.0,
                        "demand_charge_usd_per_kw_month": np.nan,
                        "min_take_fraction": np.nan,
                        "standby_charge_usd_per_kw_month": np.nan,
                        "annual_mwh": mw * per_mw_year,
                    }
                )
    return rows


def _ppa_rows(m, d: ModelInputs) -> list[dict]:
    rows = []
    T = list(m.T)
    for k, z in m.K:
        series = [_v(m.ppa_mw[k, z, t]) for t in T]
        adds = [max(0.0, b - a) for a, b in zip([0.0, *series[:-1]], series, strict=True)]
        c = d.contracts.loc[(k, z)]
        cf = d.contract_cf.loc[(k, z), "cf"]
        mwh_per_mw = float((cf * d.periods["hours"].reindex(cf.index)).sum())
        term = c["contract_years"]
        for i, (first, _, mw) in enumerate(_holdings(adds, [0.0] * len(T)), 1):
            start = _date(d.steps.at[first, "start"])
            end = (
                start + relativedelta(years=int(term))
                if np.isfinite(term)
                else _date(d.steps["end"].iloc[-1])
            )
            rows.append(
                {
                    "contract_id": f"{k}-z{z}-{i}",
                    "kind": c["kind"],
                    "option_id": k,
                    "site_id": None,
                    "zone": int(z),
                    "mw": mw,
                    "mwh": np.nan,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "start_year": start.year,
                    "end_year": (end - dt.timedelta(days=1)).year,
                    "end_reason": "term",
                    "price_usd_per_mwh": float(c["strike_usd_per_mwh"]),
                    "capex_usd_per_kw": np.nan,
                    "salvage_usd": np.nan,
                    "demand_charge_usd_per_kw_month": np.nan,
                    "min_take_fraction": np.nan,
                    "standby_charge_usd_per_kw_month": np.nan,
                    "annual_mwh": mw * mwh_per_mw,
                }
            )
    return rows


# ------------------------------------------------------------------------------------------------ timeline
TIMELINE_COLUMNS = [
    "site_id",
    "phase",
    "task_id",
    "milestone",
    "start",
    "end",
    "depends_on",
    "it_mw",
    "online_year",
    "online_date",
    "detail",
]


def _minus_months(when: dt.date, months: float) -> dt.date:
    whole = int(np.floor(months + 1e-9))
    return (
        when - relativedelta(months=whole) - dt.timedelta(days=round((months - whole) * DAYS_PER_MONTH_AVG))
    )


def timeline_table(
    m: pyo.ConcreteModel, d: ModelInputs, steps_tab: pd.DataFrame, inter: pd.DataFrame, open_sites: list[str]
) -> pd.DataFrame:
    """Every task of every phase, with its dependencies (see docs/plan-format.md).

    Permitting and the interconnection study start on the decision date (queue positions); construction
    and equipment orders start as late as possible for the phase's energization date (the start of the
    step in which it first counts) but never before their predecessors end. On-site power is ready at the
    latest of the components present when the phase is energized.
    """
    rows: list[dict] = []
    for s in open_sites:
        phases = [int(round(_v(m.phases[s, t]))) for t in m.T]
        done = 0
        for t, n in zip(m.T, phases, strict=True):
            for k in range(done + 1, n + 1):
                rows += _phase_tasks(m, d, s, k, t, inter)
            done = max(done, n)
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def _phase_tasks(m, d: ModelInputs, s: str, k: int, t: int, inter: pd.DataFrame) -> list[dict]:
    decision = d.decision_date
    site = d.sites.loc[s]
    online = _date(d.steps.at[t, "start"])
    phase = f"{s}-P{k}"
    base = {
        "site_id": s,
        "phase": phase,
        "it_mw": d.phase_mw,
        "online_year": online.year,
        "online_date": online.isoformat(),
    }
    tasks: list[dict] = []

    def task(milestone, start, end, deps=(), detail=""):
        tasks.append(
            {
                **base,
                "task_id": f"{phase}:{milestone}",
                "milestone": milestone,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "depends_on": ";".join(f"{phase}:{x}" for x in deps),
                "detail": detail,
            }
        )

    permit_end = add_months(decision, float(site["permitting_lead_time_months"]))
    task("permitting", decision, permit_end)
    build = float(site["construction_lead_time_months"])
    c_start = max(permit_end, _minus_months(online, build))
    task("construction", c_start, min(online, add_months(c_start, build)), ["permitting"])
    needs = ["construction"]
    links = inter[(inter["site_id"] == s) & (pd.to_datetime(inter["energization_date"]).dt.date <= online)]
    if _v(m.grid_cap_mw[s, t]) > EPS_MW and len(links):
        ready = max(pd.to_datetime(links["energization_date"]).dt.date)
        lead = float(links["lead_time_months"].max())
        study_end = add_months(decision, INTERCONNECTION_STUDY_SHARE * lead)
        subs = ", ".join(f"substation {int(b)}" for b in links["substation_id"])
        task("interconnection_study", decision, study_end, detail=subs)
        task("interconnection_facilities", study_end, max(study_end, ready), ["interconnection_study"], subs)
        needs.append("interconnection_facilities")
    present = [g for g in m.G if _v(m.gen_mw[s, g, t]) > EPS_MW]
    if present:
        lead = max(float(d.generators.at[g, "lead_time_months"]) for g in present)
        commission = min(COMMISSIONING_MAX_MONTHS, COMMISSIONING_SHARE * lead)
        order = max(decision, _minus_months(online, lead))
        delivered = add_months(order, lead - commission)
        detail = "+".join(present)
        task("equipment_order", order, order, detail=detail)
        task("equipment_delivery", order, delivered, ["equipment_order"], detail)
        task(
            "commissioning",
            delivered,
            max(delivered, min(online, add_months(delivered, commission))),
            ["equipment_delivery"],
            detail,
        )
        needs.append("commissioning")
    task("energization", online, online, needs)
    return tasks


# ------------------------------------------------------------------------------------------------ sites, costs
def site_table(
    d: ModelInputs, steps_tab: pd.DataFrame, inter: pd.DataFrame, open_sites: list[str]
) -> gpd.GeoDataFrame:
    """Chosen sites as points with their final IT MW, first online date and year, and substations."""
    rows = []
    for s in open_sites:
        site = d.sites.loc[s]
        tab = steps_tab[steps_tab["site_id"] == s]
        online = tab[tab["it_mw"] > EPS_MW]
        link = inter[inter["site_id"] == s].sort_values("capacity_mw", ascending=False)
        rows.append(
            {
                "site_id": s,
                "name": site["name"],
                "state": site["state"],
                "zone": int(site["zone_id"]),
                "zone_name": str(d.zones.at[site["zone_id"], "name"]),
                "it_mw": float(tab["it_mw"].iloc[-1]) if len(tab) else 0.0,
                "first_online_year": int(online["year"].iloc[0]) if len(online) else None,
                "first_online_date": online["step_start"].iloc[0] if len(online) else None,
                "substation_id": int(link["substation_id"].iloc[0]) if len(link) else None,
                "substation_ids": ";".join(str(int(b)) for b in link["substation_id"]),
                "pue_annual": float(site["pue_annual"]),
                "pue_peak": float(site["pue_peak"]),
                "land_usd_per_mw": float(site["land_usd_per_mw"]),
                "construction_usd_per_mw": float(site["construction_usd_per_mw"]),
                "permitting_lead_time_months": float(site["permitting_lead_time_months"]),
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
    """Present value by category (USD), and by category and calendar year (sum of the year's steps).

    The categories are the model's (:data:`~siting.model.build.COST_CATEGORIES`, plus ``serving`` when the
    scenario has latency-bound demand)."""
    cats = list(m.CAT) if hasattr(m, "CAT") else list(COST_CATEGORIES)
    by_step = pd.DataFrame(
        [
            {"year": int(d.steps.at[t, "year"]), "category": c, "pv_usd": _v(m.cost_usd[c, t])}
            for c in cats
            for t in m.T
        ]
    )
    by_year = by_step.groupby(["year", "category"], sort=False, as_index=False)["pv_usd"].sum()
    by_year = by_year.sort_values(
        ["category", "year"], key=lambda c: c.map(cats.index) if c.name == "category" else c
    )
    by_year["pv_usd"] = by_year["pv_usd"].where(by_year["pv_usd"].abs() > 1e-6, 0.0)  # solver noise
    totals = by_year.groupby("category", sort=False)["pv_usd"].sum()
    return {c: float(totals.get(c, 0.0)) for c in cats}, by_year.reset_index(drop=True)


SERVING_COLUMNS = ["site_id", "region_id", "year", "step_start", "mw", "rtt_ms", "distance_km"]


def serving_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Which sites serve which demand regions: one row per site × region × step with ``mw`` > 0 (IT MW
    serving the region's latency-bound demand), ``rtt_ms`` (round trip, ms) and ``distance_km`` (great
    circle; blank for explicit links); ``year`` is the step's calendar year. Without a latency section an
    empty frame without columns (the plan then has no ``serving.csv``)."""
    if not hasattr(m, "serve_mw"):
        return pd.DataFrame()
    link = d.serve_links.astype(float).to_dict("index")
    step = {t: (int(m._step[t]["year"]), _date(m._step[t]["start"])) for t in m.T}
    rows = [
        {
            "site_id": s,
            "region_id": r,
            "year": step[t][0],
            "step_start": step[t][1],
            "mw": mw,
            "rtt_ms": link[(s, r)]["rtt_ms"],
            "distance_km": link[(s, r)]["distance_km"],
        }
        for (s, r) in m.L
        for t in m.T
        if (mw := _v(m.serve_mw[s, r, t])) > 1e-6
    ]
    return _clean(pd.DataFrame(rows, columns=SERVING_COLUMNS))


#: Columns of ``demand_regions.csv`` (docs/plan-format.md), in order.
DEMAND_REGION_COLUMNS = [
    "region_id",
    "name",
    "lat",
    "lon",
    "population",
    "year",
    "step_start",
    "demand_mw",
    "served_mw",
    "unserved_mw",
]


def serving_step(d: ModelInputs) -> int:
    """The step whose serving the map draws and ``demand_regions.csv`` reports: the last step of the last
    horizon year (``d.years[-1]``), else the last step."""
    last = d.steps.index[d.steps["year"].astype(int) == int(d.years[-1])] if d.years else d.steps.index[:0]
    return int(last[-1] if len(last) else d.steps.index[-1])


def demand_region_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Every demand region of the model in the serving step (:func:`serving_step`): ``region_id``,
    ``name``, ``lat``, ``lon`` (degrees), ``population`` (people), ``year`` and ``step_start`` of the step,
    ``demand_mw`` (its latency-bound IT MW, ``ModelInputs.region_steps``), ``served_mw`` (Σ over sites in
    reach of ``serve_mw``, IT MW) and ``unserved_mw`` = demand − served (≥ 0; it counts in the shortfall).
    Without a latency section an empty frame without columns (the plan then has no ``demand_regions.csv``).
    """
    if not hasattr(m, "serve_mw"):
        return pd.DataFrame()
    t = serving_step(d)
    served = pd.Series({(s, r): _v(m.serve_mw[s, r, t]) for (s, r) in m.L}, dtype=float)
    by_region = served.groupby(level=1).sum() if len(served) else pd.Series(dtype=float)
    out = d.regions[["name", "lat", "lon", "population"]].rename_axis("region_id").reset_index()
    out["year"] = int(d.steps.at[t, "year"])
    out["step_start"] = _date(d.steps.at[t, "start"])
    demand = d.region_steps["demand_mw"].xs(t, level="step").astype(float)
    out["demand_mw"] = out["region_id"].map(demand).fillna(0.0).to_numpy(dtype=float)
    out["served_mw"] = out["region_id"].map(by_region).fillna(0.0).to_numpy(dtype=float)
    out["unserved_mw"] = (out["demand_mw"] - out["served_mw"]).clip(lower=0.0)
    return _clean(out[DEMAND_REGION_COLUMNS].sort_values("region_id").reset_index(drop=True))


def emissions_by_step(m: pyo.ConcreteModel) -> dict[int, float]:
    """tCO2 per step: the model's ``emissions_t``, the same expression the carbon cap constrains."""
    return {t: _v(m.emissions_t[t]) for t in m.T}


def energy_shares(steps_tab: pd.DataFrame, m: pyo.ConcreteModel) -> dict[str, float]:
    """Shares of facility energy over the horizon (summing to 1): grid energy not matched by contracted
    clean MWh (``grid``), on-site plant (``onsite``) and grid energy matched by PPAs (``ppa``);
    ``grid_total`` = grid + ppa."""
    grid = float(steps_tab["grid_mwh"].sum()) if len(steps_tab) else 0.0
    onsite = float(steps_tab["onsite_mwh"].sum()) if len(steps_tab) else 0.0
    clean = min(grid, sum(_v(v) for v in m.clean_mwh.values()))
    total = grid + onsite
    if total <= 0:
        return {"grid": 0.0, "onsite": 0.0, "ppa": 0.0, "grid_total": 0.0}
    return {
        "grid": (grid - clean) / total,
        "onsite": onsite / total,
        "ppa": clean / total,
        "grid_total": grid / total,
    }


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Round solver noise (|x| < 1e-7) to zero in float columns."""
    for c in df.select_dtypes("float").columns:
        df[c] = df[c].where(df[c].isna() | (df[c].abs() > 1e-7), 0.0)
    return df


# ------------------------------------------------------------------------------------------------ dispatch
#: Fixed columns of ``dispatch.csv`` (docs/plan-format.md); one ``onsite_<option_id>_mw`` column per on-site
#: fuel-burning option of the scenario follows ``onsite_mw``.
DISPATCH_KEY_COLUMNS = ["site_id", "step", "year", "step_start", "period", "day", "hour", "hours"]
DISPATCH_MW_COLUMNS = ["facility_load_mw", "grid_mw", "onsite_mw"]
DISPATCH_TAIL_COLUMNS = ["battery_discharge_mw", "battery_charge_mw", "ppa_clean_mw", "clean_matched_mw"]


def onsite_dispatch_column(option_id: str) -> str:
    """Column of ``dispatch.csv`` with the average MW of on-site option ``option_id``: ``onsite_<id>_mw``."""
    return f"onsite_{option_id}_mw"


def dispatch_table(m: pyo.ConcreteModel, d: ModelInputs, steps_tab: pd.DataFrame) -> pd.DataFrame:
    """Average MW by source in every climate period of every step in which a site has IT online.

    One row per (site, step, period) with ``hours`` > 0 of the step (``ModelInputs.step_periods``) and
    ``it_mw`` > 0 at the site (``capacity_steps.csv``): ``facility_load_mw`` (the model's
    ``facility_avg_mw``), ``grid_mw`` (``grid_out``), ``onsite_<option>_mw`` (``gen_out``, one column per
    on-site fuel option) and their sum ``onsite_mw``, ``battery_discharge_mw`` / ``battery_charge_mw``
    (``bat_dis`` / ``bat_ch``, summed over battery options; 0 without representative days), and
    ``ppa_clean_mw`` (:func:`allocate_ppa_output`), and ``clean_matched_mw``, the part of ``grid_mw`` that
    deliverable contracted clean output of the same period covers
    (:func:`siting.results.clean_energy.matched_by_site_period`: hourly CFE's numerator on representative
    days, matching within the month under monthly periods). Per row facility load = grid + on-site + discharge −
    charge (the model's ``energy_balance``); per site and step Σ ``hours`` × MW is the step's MWh of
    ``capacity_steps.csv``. ``day``/``hour`` are the representative day and hour (-1 for monthly periods).
    """
    gas = list(m.GAS)
    cols = [
        *DISPATCH_KEY_COLUMNS,
        *DISPATCH_MW_COLUMNS,
        *map(onsite_dispatch_column, gas),
        *DISPATCH_TAIL_COLUMNS,
    ]
    built = steps_tab.loc[steps_tab["it_mw"] > EPS_MW, ["site_id", "step"]] if len(steps_tab) else None
    if built is None or built.empty:
        return pd.DataFrame(columns=cols)
    sp = d.step_periods["hours"].rename_axis(["step", "period"]).reset_index()
    df = built.merge(sp, on="step").sort_values(["site_id", "step", "period"], ignore_index=True)
    keys = list(zip(df["site_id"], df["step"], df["period"], strict=True))
    df["facility_load_mw"] = [_v(m.facility_avg_mw[k]) for k in keys]
    df["grid_mw"] = [_v(m.grid_out[k]) for k in keys]
    for g in gas:
        df[onsite_dispatch_column(g)] = [_v(m.gen_out[s, g, t, p]) for s, t, p in keys]
    df["onsite_mw"] = df[[onsite_dispatch_column(g) for g in gas]].sum(axis=1) if gas else 0.0
    bats = list(m.BAT) if d.chronological else []
    df["battery_discharge_mw"] = [sum((_v(m.bat_dis[s, g, t, p]) for g in bats), 0.0) for s, t, p in keys]
    df["battery_charge_mw"] = [sum((_v(m.bat_ch[s, g, t, p]) for g in bats), 0.0) for s, t, p in keys]
    df = _clean(df)
    df["ppa_clean_mw"] = allocate_ppa_output(df, _zone_ppa_output(m, d), d.sites["zone_id"])
    matched = matched_by_site_period(m, d).reindex(pd.MultiIndex.from_tuples(keys)).fillna(0.0).to_numpy()
    df["clean_matched_mw"] = np.divide(matched, df["hours"], out=np.zeros(len(df)), where=df["hours"] > 0)
    df["year"] = df["step"].map(d.steps["year"]).astype(int)
    df["step_start"] = pd.to_datetime(df["step"].map(d.steps["start"])).dt.strftime("%Y-%m-%d")
    df["day"] = df["period"].map(d.periods["day"]).astype(int)
    df["hour"] = df["period"].map(d.periods["hour"]).astype(int)
    return _clean(df)[cols]


def _zone_ppa_output(m: pyo.ConcreteModel, d: ModelInputs) -> pd.Series:
    """Contracted clean output of each zone, average MW: Σ_k cf[k, z, p] × ppa_mw[k, z, t], indexed
    (zone_id, step, period); the same product the model's ``clean_within_contracts`` sums over hours."""
    names = ["option_id", "zone_id", "step"]
    mw = pd.Series({idx: _v(v) for idx, v in m.ppa_mw.items()}, dtype=float)
    mw.index = mw.index.set_names(names) if len(mw) else pd.MultiIndex.from_tuples([], names=names)
    cf = d.contract_cf["cf"].rename_axis(["option_id", "zone_id", "period"])
    both = mw[mw > EPS_MW].rename("mw").reset_index().merge(cf.reset_index(), on=["option_id", "zone_id"])
    both["out_mw"] = both["mw"] * both["cf"]
    return both.groupby(["zone_id", "step", "period"])["out_mw"].sum()


def allocate_ppa_output(dispatch: pd.DataFrame, zone_mw: pd.Series, site_zone: pd.Series) -> np.ndarray:
    """A zone's contracted clean output (MW, indexed zone, step, period) shared among the rows of its
    sites in that step and period pro rata to their ``grid_mw`` (to ``facility_load_mw`` when they draw
    no grid power then), so that the rows of a zone sum to its contracted output. Contracted, not
    matched: it may exceed the grid purchases (``clean_mwh`` claims at most those)."""
    zone = dispatch["site_id"].map(site_zone).rename("zone_id")
    key = [zone, dispatch["step"], dispatch["period"]]
    out = pd.MultiIndex.from_arrays(key).map(zone_mw.to_dict()).to_numpy(dtype=float)
    out = np.nan_to_num(out, nan=0.0)
    grid_total = dispatch.groupby(key)["grid_mw"].transform("sum").to_numpy()
    load_total = dispatch.groupby(key)["facility_load_mw"].transform("sum").to_numpy()
    by_grid = grid_total > EPS_MW
    weight = np.where(by_grid, dispatch["grid_mw"], dispatch["facility_load_mw"])
    total = np.where(by_grid, grid_total, load_total)
    return np.divide(out * weight, total, out=np.zeros(len(dispatch)), where=total > 0)
