"""Prepare the model's input tables from a :class:`~siting.data.load.Dataset` and a scenario.

Everything the optimisation model needs is computed here, vectorised, and handed over as tidy tables
(:class:`ModelInputs`); the model itself never reads files or looks at geometries. :func:`prepare_inputs`
is a short list of named steps, one small function per table.

Time
----
The model runs on **steps** (:func:`siting.features.timing.build_steps`): months, then quarters, then
years from the decision date; every target date and every 1 January is a boundary. Dispatch inside a
step uses the climate periods (the 12 months, or tsam representative hours) weighted by the hours of
the step that fall in each calendar month (``step_periods``).

Cost conventions
----------------
Capital costs are turned into level annual charges with the capital recovery factor
``CRF = r / (1 − (1 + r)^−n)`` over the asset's life ``n`` and charged, pro rata to the step length, in
every step in which the asset exists (owned on-site plant: from its purchase on, even after it is retired
or sold; a sale returns ``salvage_fraction`` of its capex once). Land is charged as a 100-year annuity.
The objective is the present value, at the scenario's discount rate, of these charges and of all operating
costs in the horizon, discounted to the decision date. The overnight capex of everything built is reported
too and is what ``budget_usd`` caps.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import xarray as xr

from ..data.load import INFERENCE_MW_PREFIX, Dataset
from ..errors import InfeasibleScenarioError, InputError
from ..features.geo import distance_to_nearest_km, nearest_candidates, within_radius
from ..features.grid_carbon import MARGINAL_ZONE_COLUMN, annual_grid_co2_t_per_mwh, grid_co2_by_period
from ..features.latency import fiber_rtt_ms, pair_distance_km, region_demand_mw, serving_cost_usd_per_mw_year
from ..features.site_climate import (
    monthly_pue_wue,
    representative_hours,
    representative_hours_from_weather,
    site_hourly_weather,
    site_monthly_climate,
)
from ..features.solar import solar_cf_from_monthly_ghi
from ..features.tariffs import STANDBY_MAX_LOAD_FACTOR, tariff_table
from ..features.timing import (
    TYPICAL_DAYS_IN_MONTH,
    build_steps,
    first_online_year,
    first_step,
    month_overlap,
    ready_dates,
    years_between,
)
from ..features.water import water_stress_class, water_stress_proxy
from ..features.wind import wind_cf_rayleigh
from ..scenario import Scenario
from .inputs import ModelInputs

MILES_PER_KM = 1.0 / 1.609344
#: Asset lives (years) used when ``costs.csv`` has no row for them. Unverified defaults.
DEFAULT_LIVES = {"datacenter_life_years": 20.0, "interconnection_life_years": 40.0, "land_life_years": 100.0}
GAS_CO2_KG_PER_MMBTU = 53.06  # EPA emission factor for natural gas
#: Short tons per metric ton (air-permit thresholds are in short tons per year).
SHORT_TON_T = 0.90718474


def crf(rate: float, life_years: float) -> float:
    """Capital recovery factor (1/year) at real discount ``rate`` over ``life_years``."""
    if life_years <= 0:
        raise ValueError("life_years must be > 0")
    if rate == 0:
        return 1.0 / life_years
    return rate / (1.0 - (1.0 + rate) ** (-life_years))


# --------------------------------------------------------------------------------------------------------
# site selection and climate


def select_sites(dataset: Dataset, scenario: Scenario) -> pd.DataFrame:
    """Candidate sites inside the scenario's region (states and/or a circle measured in EPSG:5070)."""
    sites = dataset.candidate_sites
    region = scenario.region
    if region is not None:
        mask = np.ones(len(sites), dtype=bool)
        if region.states:
            mask &= sites["state"].str.upper().isin(region.states).to_numpy()
        if region.radius_km is not None:
            mask &= within_radius(sites, region.center_lat, region.center_lon, region.radius_km)
        sites = sites[mask]
    if len(sites) == 0:
        raise InfeasibleScenarioError(
            f"no candidate site lies in the scenario's region ({region}); widen region.radius_km or "
            "add states, or supply candidate_sites covering the region"
        )
    return sites


# --------------------------------------------------------------------------------------------------------
# time


def time_grid(scenario: Scenario) -> pd.DataFrame:
    """Steps of the scenario with their discount factor and target (see :func:`build_steps`)."""
    ts = scenario.time_steps
    end = dt.date(scenario.horizon.last_year + 1, 1, 1)
    quarterly = ts.quarterly_months
    if quarterly is None:
        last = max(scenario.targets_it_mw)
        d0 = scenario.decision_date
        quarterly = max(24, (last.year - d0.year) * 12 + last.month - d0.month)
    steps = build_steps(
        scenario.decision_date,
        scenario.start_date,
        end,
        boundaries=list(scenario.targets_it_mw),
        monthly_months=ts.monthly_months,
        quarterly_months=quarterly,
    )
    r = scenario.discount_rate
    steps["discount_factor"] = [
        (1.0 + r) ** (-years_between(scenario.decision_date, s.date())) for s in steps["start"]
    ]
    steps["target_it_mw"] = [scenario.target_at(s.date()) for s in steps["start"]]
    return steps


def step_period_hours(steps: pd.DataFrame, month_hours: np.ndarray, periods: pd.Index) -> pd.DataFrame:
    """Hours of each step that each climate period stands for: ``Σ_m overlap[step, m] × month_hours[p, m]``.

    ``month_hours`` (period × 12) holds the hours of calendar month m a period represents in a typical
    year; ``overlap`` is the covered fraction of each month (:func:`month_overlap`). Zero entries dropped.
    """
    frac = month_overlap(pd.DatetimeIndex(steps["start"]), pd.DatetimeIndex(steps["end"]))
    hours = frac @ month_hours.T  # (step, period)
    t, p = np.nonzero(hours > 1e-9)
    return pd.DataFrame(
        {"hours": hours[t, p]},
        index=pd.MultiIndex.from_arrays([steps.index[t], periods[p]], names=["step", "period"]),
    )


def _months(df: pd.DataFrame, base: str) -> np.ndarray:
    """``<base>_months`` of a table, or its legacy ``<base>_years`` × 12."""
    if f"{base}_months" in df:
        return df[f"{base}_months"].to_numpy(dtype=float)
    return df[f"{base}_years"].to_numpy(dtype=float) * 12.0


def _cost_months(costs: dict, base: str) -> float:
    if f"{base}_months" in costs:
        return float(costs[f"{base}_months"])
    return 12.0 * float(costs[f"{base}_years"])


def _steps_from(steps: pd.DataFrame, decision: dt.date, months) -> tuple[np.ndarray, np.ndarray]:
    """Ready dates (decision + months) and the first step each can count in."""
    ready = ready_dates(decision, months)
    return ready, first_step(steps["start"].to_numpy(), ready)


# --------------------------------------------------------------------------------------------------------
# tables


def climate_features(pts: xr.Dataset, scenario: Scenario, weather: xr.Dataset | None = None) -> dict:
    """Periods, their month weights, and per-site PUE/WUE/CF by period, in the scenario's resolution.

    ``by_design`` maps every cooling design of the scenario to its ``pue``, ``wue`` (site × period),
    ``pue_peak``, ``pue_swing`` and ``peak_window_hours`` (site,). With one design the top-level arrays are
    that design's; with several (a per-site choice) they are bounds over the designs (:func:`_design_bounds`).
    With ``weather`` (a year of hourly weather at the sites, :func:`site_hourly_weather`) the representative
    days, and every PUE/WUE/CF figure of the sites, come from it (:func:`representative_hours_from_weather`)
    instead of the monthly ``pts``; the monthly resolution ignores it.
    """
    designs = scenario.cooling_designs
    design = monthly_pue_wue(pts, designs[0])
    monthly = {c: design if c == designs[0] else monthly_pue_wue(pts, c) for c in designs}
    if scenario.time_resolution.kind == "representative_days" and weather is not None:
        rep = representative_hours_from_weather(
            weather, designs[0], scenario.time_resolution.n_days, designs[1:]
        )
        out = {**design, **rep, "chrono": True}
        if len(designs) > 1:
            keys = ("pue_peak", "pue_swing", "peak_window_hours")
            for c in designs:
                monthly[c] = {
                    "pue": rep["pue_by_design"][c],
                    "wue": rep["wue_by_design"][c],
                    **{k: rep[f"{k}_by_design"][c] for k in keys},
                }
    elif scenario.time_resolution.kind == "representative_days":
        rep = representative_hours(pts, designs[0], scenario.time_resolution.n_days, designs[1:])
        out = {**design, **rep, "pue_peak": np.maximum(rep["pue_peak"], design["pue_peak"]), "chrono": True}
        if len(designs) > 1:
            for c in designs:
                monthly[c] = {
                    **monthly[c],
                    "pue": rep["pue_by_design"][c],
                    "wue": rep["wue_by_design"][c],
                    "pue_peak": np.maximum(rep["pue_peak_by_design"][c], monthly[c]["pue_peak"]),
                }
    else:
        periods = pd.DataFrame(
            {"hours": TYPICAL_DAYS_IN_MONTH * 24.0, "day": -1, "hour": -1},
            index=pd.Index(np.arange(1, 13), name="period"),
        )
        out = {
            **design,
            "periods": periods,
            "month_hours": np.diag(TYPICAL_DAYS_IN_MONTH * 24.0),
            "solar_cf": solar_cf_from_monthly_ghi(
                pts["ghi_kwh_per_m2_day"].transpose("site", "month").to_numpy()
            ),
            "wind_cf": wind_cf_rayleigh(pts["wind_speed_100m_m_per_s"].transpose("site", "month").to_numpy()),
            "chrono": False,
        }
    if len(designs) == 1:
        keys = ("pue", "wue", "pue_peak", "pue_swing", "peak_window_hours")
        out["by_design"] = {designs[0]: {k: out[k] for k in keys}}
        return out
    out["by_design"] = monthly
    return {**out, **_design_bounds(monthly)}


def _site_weather(
    dataset: Dataset, scenario: Scenario, cand: pd.DataFrame, notes: list[str]
) -> xr.Dataset | None:
    """Hourly weather at the candidate sites from ``dataset.hourly_weather`` (scenario ``data.hourly_weather``)
    when the scenario uses representative days; None otherwise (with a note if the file is then unused)."""
    grid = getattr(dataset, "hourly_weather", None)
    if grid is None:
        return None
    if scenario.time_resolution.kind != "representative_days":
        notes.append(
            "data.hourly_weather is used only with time_resolution representative_days: the monthly "
            "resolution takes the climate layer"
        )
        return None
    if grid.attrs.get("note"):
        notes.append(grid.attrs["note"])
    ids = cand["site_id"].to_numpy() if "site_id" in cand else None
    return site_hourly_weather(grid, cand["lat"], cand["lon"], site_ids=ids)


def _design_bounds(by_design: dict[str, dict]) -> dict[str, np.ndarray]:
    """Site-level PUE figures when the cooling design is a decision: the lowest ``pue``, ``wue``,
    ``pue_peak`` and ``pue_swing`` over the designs and the longest ``peak_window_hours`` (optimistic
    bounds for the pre-solve checks and the warm-start screen; conservative battery window in the model)."""
    stack = {k: np.stack([v[k] for v in by_design.values()]) for k in next(iter(by_design.values()))}
    return {
        "pue": stack["pue"].min(axis=0),
        "wue": stack["wue"].min(axis=0),
        "pue_peak": stack["pue_peak"].min(axis=0),
        "pue_swing": stack["pue_swing"].min(axis=0),
        "peak_window_hours": stack["peak_window_hours"].max(axis=0),
    }


def cooling_tables(
    dataset: Dataset, scenario: Scenario, sites: pd.DataFrame, clim: dict, costs: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``site_cooling`` (site × design: peak, annual and swing PUE, battery window, annual WUE, capex
    increment) and ``site_cooling_periods`` (site × design × period: PUE, WUE in L/kWh of IT energy).

    The capex increment of a design is ``costs.csv cooling_capex_usd_per_kw_it_<design>`` (USD/kW IT over
    the construction capex, 0 if absent) × 1,000 × the zone's construction multiplier, charged only when
    the scenario offers several designs (a single design is taken as included in the construction capex).
    """
    periods = clim["periods"]
    hours = periods["hours"].to_numpy()
    mult = dataset.zones.loc[sites["zone_id"].to_numpy(), "construction_cost_multiplier"].to_numpy()
    choice = len(clim["by_design"]) > 1
    rows, per = [], []
    for c, f in clim["by_design"].items():
        capex_kw = float(costs.get(f"cooling_capex_usd_per_kw_it_{c}", 0.0)) if choice else 0.0
        rows.append(
            pd.DataFrame(
                {
                    "site_id": sites.index,
                    "design": c,
                    "pue_peak": f["pue_peak"],
                    "pue_annual": (f["pue"] * hours).sum(axis=1) / hours.sum(),
                    "pue_swing": f["pue_swing"],
                    "peak_window_hours": np.maximum(f["peak_window_hours"], 1.0),
                    "wue_annual_l_per_kwh": (f["wue"] * hours).sum(axis=1) / hours.sum(),
                    "cooling_capex_usd_per_mw": capex_kw * 1000.0 * mult,
                }
            )
        )
        idx = pd.MultiIndex.from_product(
            [sites.index, [c], periods.index], names=["site_id", "design", "period"]
        )
        per.append(pd.DataFrame({"pue": f["pue"].ravel(), "wue_l_per_kwh": f["wue"].ravel()}, index=idx))
    site_cooling = pd.concat(rows).set_index(["site_id", "design"]).sort_index()
    return site_cooling, pd.concat(per).sort_index()


def site_water_table(dataset: Dataset, sites: pd.DataFrame, pts: xr.Dataset) -> pd.DataFrame:
    """Per site: the water basin that limits it (``water_basin``: its own id or its state, from the
    scenario's availability file; "" when none), that basin's ``water_available_m3_per_year`` (shared by its
    sites; inf: no limit) and the climate dryness proxy of water stress (:mod:`siting.features.water`)."""
    proxy = water_stress_proxy(
        pts["t2m_c"].transpose("site", "month").to_numpy(),
        pts["wet_bulb_c"].transpose("site", "month").to_numpy(),
    )
    basin = pd.Series("", index=sites.index, dtype=object)
    avail = pd.Series(np.inf, index=sites.index)
    table = dataset.water_availability
    if table is not None and len(table):
        key = sites.index.to_series() if table["level"].iloc[0] == "site" else sites["state"].str.upper()
        found = key.isin(table.index)
        basin[found] = key[found]
        avail[found] = table.loc[key[found], "water_available_m3_per_year"].to_numpy()
    return pd.DataFrame(
        {
            "water_basin": basin.astype(str),
            "water_available_m3_per_year": avail.astype(float),
            "water_stress_proxy": proxy,
            "water_stress_class": water_stress_class(proxy),
        },
        index=sites.index,
    )


def _water_scalars(scenario: Scenario, costs: dict) -> dict:
    """``cooling_designs``, ``water_cap_m3_per_year_per_site`` and ``water_price_usd_per_m3`` (USD/m3:
    the scenario's, else costs.csv ``water_price_usd_per_m3``; 0 without a water section)."""
    w = scenario.water
    price = 0.0
    if w is not None:
        price = w.price_usd_per_m3
        if price is None:
            price = float(costs.get("water_price_usd_per_m3", 0.0))
    return {
        "cooling_designs": scenario.cooling_designs,
        "water_cap_m3_per_year_per_site": None if w is None else w.cap_m3_per_year_per_site,
        "water_price_usd_per_m3": float(price),
    }


def _gas_distance_km(cand: pd.DataFrame, dataset: Dataset) -> np.ndarray:
    """km from each site to gas: the sites' own ``dist_gas_km`` where given, else the distance (EPSG:5070) to
    the nearest point of the dataset's ``gas_points`` layer; NaN when neither exists (gas then assumed at the
    fence, with a note)."""
    given = cand["dist_gas_km"].to_numpy(dtype=float) if "dist_gas_km" in cand else np.full(len(cand), np.nan)
    points = getattr(dataset, "gas_points", None)
    if points is None or len(points) == 0 or not np.isnan(given).any():
        return given
    return np.where(np.isnan(given), distance_to_nearest_km(cand[["lat", "lon"]], points), given)


def site_table(
    cand: pd.DataFrame, dataset: Dataset, scenario: Scenario, clim: dict, steps: pd.DataFrame, costs: dict
) -> pd.DataFrame:
    """One row per candidate site: size in phases, lead times and ready date, PUE, costs, gas access."""
    ov = scenario.overrides
    acres_per_mw = float(costs["acres_per_mw_it"])
    max_mw = np.minimum(cand["max_it_mw"].to_numpy(), cand["buildable_acres"].to_numpy() / acres_per_mw)
    max_phases = np.floor(np.minimum(max_mw, scenario.site_max_it_mw) / scenario.phase_mw + 1e-9).astype(int)
    permit = _months(cand, "permitting_lead_time")
    if ov.months("permitting") is not None:
        permit = np.full(len(cand), ov.months("permitting"))
    build = ov.months("construction")
    build = _cost_months(costs, "construction_lead_time") if build is None else build
    ready, first = _steps_from(steps, scenario.decision_date, permit + build)
    capex_kw = ov.construction_capex_usd_per_kw_it
    capex_kw = float(costs["construction_capex_usd_per_kw_it"]) if capex_kw is None else capex_kw
    mult = dataset.zones.loc[cand["zone_id"].to_numpy(), "construction_cost_multiplier"].to_numpy()
    periods = clim["periods"]
    dist_gas = _gas_distance_km(cand, dataset)
    if not scenario.require_gas_lateral:  # gas assumed at the fence (e.g. an existing industrial supply)
        dist_gas = np.zeros(len(cand))
    lateral_km = float(costs.get("gas_lateral_max_km", np.inf))
    return pd.DataFrame(
        {
            "name": cand["name"].to_numpy(),
            "state": cand["state"].to_numpy(),
            "zone_id": cand["zone_id"].to_numpy(),
            "lat": cand["lat"].to_numpy(),
            "lon": cand["lon"].to_numpy(),
            "max_phases": max_phases,
            "min_phases": int(np.ceil(scenario.site_min_it_mw / scenario.phase_mw - 1e-9)),
            "permitting_lead_time_months": permit,
            "construction_lead_time_months": build,
            "permitting_lead_time_years": permit / 12.0,
            "construction_lead_time_years": build / 12.0,
            "ready_date": pd.to_datetime(ready),
            "first_step": first,
            "first_online_year": first_online_year(scenario.decision_year, (permit + build) / 12.0),
            "pue_peak": clim["pue_peak"],
            "pue_annual": (clim["pue"] * periods["hours"].to_numpy()).sum(axis=1) / periods["hours"].sum(),
            "pue_swing": clim["pue_swing"],
            "peak_window_hours": np.maximum(clim["peak_window_hours"], 1.0),
            "land_usd_per_mw": cand["land_cost_usd_per_acre"].to_numpy() * acres_per_mw,
            "construction_usd_per_mw": capex_kw * 1000.0 * mult,
            "dc_fixed_om_usd_per_mw_year": float(costs["datacenter_fixed_om_usd_per_kw_it_year"]) * 1000.0,
            "dist_gas_km": dist_gas,
            "gas_lateral_usd": np.nan_to_num(dist_gas)
            * float(costs.get("gas_lateral_usd_per_km", 0.0))
            * float(costs["route_factor"]),
            "gas_allowed": ~(dist_gas > lateral_km),
            "opening_usd_per_year": _opening_cost(cand),
        },
        index=pd.Index(cand.index.to_numpy(), name="site_id"),
    )


def zone_tables(dataset: Dataset, scenario: Scenario, sites: pd.DataFrame, steps: pd.DataFrame):
    """Zones of the candidate sites with their tariff, and the tariff's energy price in every step."""
    used = dataset.zones.loc[sorted(set(sites["zone_id"]))]
    mult = scenario.overrides.electricity_price_multiplier
    tariffs = tariff_table(used, getattr(dataset, "tariffs", None), mult)
    if "standby_max_load_factor" not in tariffs:
        tariffs["standby_max_load_factor"] = STANDBY_MAX_LOAD_FACTOR
    zones = tariffs.assign(
        tariff_usd_per_mwh=tariffs["energy_charge_usd_per_mwh"],
        wholesale_usd_per_mwh=used["wholesale_price_usd_per_mwh"] * mult,
        grid_co2_t_per_mwh=used["grid_co2_kg_per_mwh"] / 1000.0,
        name=used["zone_name"],
        iso=used["iso"],
    )
    zones.index.name = "zone_id"
    growth = (1.0 + zones["price_escalation_per_year"].to_numpy()[:, None]) ** (
        steps["year"].to_numpy()[None, :] - zones["price_base_year"].to_numpy()[:, None]
    )
    price = zones["energy_charge_usd_per_mwh"].to_numpy()[:, None] * growth
    zone_steps = pd.DataFrame(
        {"energy_usd_per_mwh": price.ravel()},
        index=pd.MultiIndex.from_product([zones.index, steps.index], names=["zone_id", "step"]),
    )
    return zones, zone_steps


def connection_tables(
    dataset: Dataset, scenario: Scenario, sites: pd.DataFrame, steps: pd.DataFrame, costs: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Site–substation connections (the nearest substations with headroom) and the substations used."""
    ic = scenario.interconnection
    subs = dataset.substations
    subs = subs[(subs["max_voltage_kv"] >= ic.min_voltage_kv) & (subs["headroom_mw"] > 0)]
    pairs = nearest_candidates(
        dataset.candidate_sites.loc[sites.index], subs, ic.candidates_per_site, ic.max_distance_km
    ).rename(columns={"target_id": "substation_id"})
    if "utility_tariff" not in scenario.power_options:
        pairs = pairs.iloc[0:0]
    sub_of = subs.loc[pairs["substation_id"].to_numpy()]
    line_class = _line_class(sub_of["max_voltage_kv"].to_numpy(), dataset.line_costs)
    region = dataset.zones.loc[sub_of["zone_id"].to_numpy(), "line_cost_region"].to_numpy()
    lc = dataset.line_costs.set_index(["voltage_kv", "line_cost_region"])
    lc_rows = lc.reindex(pd.MultiIndex.from_arrays([line_class, region]))
    if lc_rows["line_cost_usd_per_mile"].isna().any():
        missing = sorted(
            set(zip(line_class[lc_rows["line_cost_usd_per_mile"].isna().to_numpy()], region, strict=False))
        )
        raise InputError(
            f"line_costs has no row for (voltage_kv, line_cost_region) {missing[:3]}",
            file=dataset.files.get("line_costs"),
            column="voltage_kv",
            fix="add line costs for every voltage class and region used",
        )
    lead = _months(dataset.zones.loc[sub_of["zone_id"].to_numpy()], "interconnection_lead_time")
    if ic.lead_months() is not None:
        lead = np.full(len(pairs), ic.lead_months())
    lead = lead + ic.delay_months()
    ready, first = _steps_from(steps, scenario.decision_date, lead)
    dist = np.maximum(pairs["distance_km"].to_numpy(), 1.0)  # at least a 1 km tie-in
    line_mw = lc_rows["line_capacity_mw"].to_numpy(dtype=float)
    circuit = (
        dist * MILES_PER_KM * float(costs["route_factor"]) * lc_rows["line_cost_usd_per_mile"].to_numpy()
    )
    substation = lc_rows["substation_upgrade_usd"].to_numpy(dtype=float)
    connections = pd.DataFrame(
        {
            "distance_km": pairs["distance_km"].to_numpy(),
            "voltage_kv": line_class,
            "line_capacity_mw": line_mw,
            "max_circuits": ic.max_circuits_per_connection,
            "max_mw": np.minimum(sub_of["headroom_mw"].to_numpy(), ic.max_circuits_per_connection * line_mw),
            "circuit_cost_usd": circuit,
            "substation_cost_usd": substation,
            "fixed_cost_usd": circuit + substation,
            "cost_usd_per_mw": float(costs["network_upgrade_usd_per_kw"]) * 1000.0,
            "lead_time_months": lead,
            "lead_time_years": lead / 12.0,
            "ready_date": pd.to_datetime(ready),
            "first_step": first,
            "available_year": pd.to_datetime(ready).year.to_numpy(),
        },
        index=pd.MultiIndex.from_arrays(
            [pairs["site_id"].to_numpy(), pairs["substation_id"].to_numpy()],
            names=["site_id", "substation_id"],
        ),
    )
    used = subs.loc[sorted(set(pairs["substation_id"]))]
    substations = pd.DataFrame(
        {
            "headroom_mw": used["headroom_mw"].to_numpy(dtype=float),
            "max_voltage_kv": used["max_voltage_kv"].to_numpy(dtype=float),
            "zone_id": used["zone_id"].to_numpy(),
            "name": used["name"].astype(str).to_numpy(),
            "lat": used["lat"].to_numpy(),
            "lon": used["lon"].to_numpy(),
        },
        index=pd.Index(used.index.to_numpy(), name="substation_id"),
    )
    return connections, substations


def _col(df: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """A float column of ``df``, or ``default`` where it is absent or empty."""
    if name not in df:
        return np.full(len(df), default, dtype=float)
    return df[name].astype(float).fillna(default).to_numpy()


def _operating_end_step(
    steps: pd.DataFrame, ready: np.ndarray, max_operating_months: np.ndarray
) -> np.ndarray:
    """First step an option may no longer run: a rental runs only in steps that end within its permit window
    (``max_operating_years`` from delivery); ``len(steps)`` when it has no window."""
    window_end = np.array(
        [
            np.datetime64(ready_dates(pd.Timestamp(r).date(), m)[()])
            if np.isfinite(m)
            else np.datetime64("NaT")
            for r, m in zip(ready, max_operating_months, strict=True)
        ],
        dtype="datetime64[D]",
    )
    ends = steps["end"].to_numpy().astype("datetime64[D]")
    return np.where(
        np.isnat(window_end),
        len(steps),
        np.searchsorted(ends, np.where(np.isnat(window_end), ends[-1], window_end), side="right"),
    )


def _onsite_caps_mw(
    own: pd.DataFrame, scenario: Scenario, site_facility_max_mw: float
) -> tuple[np.ndarray, np.ndarray]:
    """MW caps of each on-site option: per site (data ``max_mw``, the largest site's facility MW and the
    scenario's ``onsite_limits``) and in total (``onsite_limits``; inf when none)."""
    limits = scenario.onsite_limits

    def limit(option: str, attr: str) -> float:
        value = getattr(limits[option], attr) if option in limits else None
        return np.inf if value is None else float(value)

    per_site = np.minimum(_col(own, "max_mw", np.inf), site_facility_max_mw)
    per_site = np.minimum(per_site, [limit(o, "max_mw_per_site") for o in own.index])
    total = np.array([limit(o, "max_mw_total") for o in own.index], dtype=float)
    return per_site, total


def _fuel_and_co2(
    own: pd.DataFrame, scenario: Scenario, costs: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heat rate (MMBtu/MWh), fuel cost (USD/MWh) and CO2 (t/MWh: the option's ``co2_kg_per_mwh``, else
    heat rate × 53.06 kg/MMBtu, EPA's natural-gas factor)."""
    gas_price = scenario.overrides.gas_price_usd_per_mmbtu
    gas_price = float(costs["gas_price_usd_per_mmbtu"]) if gas_price is None else gas_price
    hr = _col(own, "heat_rate_mmbtu_per_mwh", 0.0)
    co2 = own["co2_kg_per_mwh"].to_numpy(dtype=float)
    co2 = np.where(np.isnan(co2), hr * GAS_CO2_KG_PER_MMBTU, co2) / 1000.0
    return hr, hr * gas_price, co2


def generator_table(
    dataset: Dataset, scenario: Scenario, steps: pd.DataFrame, costs: dict, site_facility_max_mw: float
) -> pd.DataFrame:
    """Owned or rented on-site plant: costs, fuel, emissions, caps, lead time and operating window.

    Firm share of nameplate for the peak: gas plant ``availability / (1 + onsite_reserve_margin)`` (N+1
    spares when islanded); batteries get their firm MW from their energy in the model
    (:func:`siting.model.build.peak_supply_adequacy`), so their ``firm_fraction`` is 1 of power.
    """
    opts = dataset.power_options
    own = opts[opts["kind"].isin(["onsite_gas", "battery"]) & opts["kind"].isin(scenario.power_options)]
    hr, fuel, co2 = _fuel_and_co2(own, scenario, costs)
    lead = _months(own, "lead_time")
    ready, first = _steps_from(steps, scenario.decision_date, lead)
    max_op_months = _col(own, "max_operating_years", np.inf) * 12.0
    per_site, total = _onsite_caps_mw(own, scenario, site_facility_max_mw)
    reserve = scenario.overrides.onsite_reserve_margin
    reserve = float(costs.get("onsite_reserve_margin", 0.0)) if reserve is None else reserve
    kind = own["kind"].to_numpy()
    avail = _col(own, "capacity_factor", 1.0)
    capex = _col(own, "capex_usd_per_kw", 0.0) * 1000.0
    gens = pd.DataFrame(
        {
            "kind": kind,
            "name": own.get("name", pd.Series(own.index, index=own.index)).to_numpy(),
            "capex_usd_per_mw": capex,
            "energy_capex_usd_per_mwh": _col(own, "energy_capex_usd_per_kwh", np.nan) * 1000.0,
            "fixed_om_usd_per_mw_year": _col(own, "fixed_om_usd_per_kw_year", 0.0) * 1000.0,
            "fuel_usd_per_mwh": fuel,
            "marginal_cost_usd_per_mwh": _col(own, "variable_om_usd_per_mwh", 0.0) + fuel,
            "co2_t_per_mwh": co2,
            "nox_t_per_mwh": _col(own, "nox_kg_per_mwh", 0.0) / 1000.0,
            "availability": avail,
            "firm_fraction": np.where(kind == "battery", 1.0, avail / (1.0 + reserve)),
            "max_mw_per_site": per_site,
            "max_mw_total": total,
            "life_years": _col(own, "life_years", 20.0),
            "salvage_fraction": _col(own, "salvage_fraction", 0.0),
            "rental": np.isfinite(max_op_months) | (capex == 0.0) & (kind != "battery"),
            "uses_fuel": hr > 0,
            "duration_hours": _col(own, "duration_hours", 4.0),
            "round_trip_efficiency": _col(own, "round_trip_efficiency", 0.85),
            "lead_time_months": lead,
            "lead_time_years": lead / 12.0,
            "ready_date": pd.to_datetime(ready),
            "first_step": first,
            "end_step": _operating_end_step(steps, ready, max_op_months),
            "available_year": pd.to_datetime(ready).year.to_numpy(),
        },
        index=pd.Index(own.index.to_numpy(), name="option_id"),
    )
    gens["crf"] = [crf(scenario.discount_rate, life) for life in gens["life_years"]]
    return gens


def contract_tables(
    dataset: Dataset,
    scenario: Scenario,
    steps: pd.DataFrame,
    zones: pd.DataFrame,
    sites: pd.DataFrame,
    clim: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PPAs, one per option and zone with a candidate site, and their capacity factor by period.

    The PPA project is assumed to sit in the zone of the load it is matched to: solar and wind capacity
    factors are the means over the zone's candidate sites; firm contracts are flat at their capacity
    factor (0.9 if not given).
    """
    opts = dataset.power_options
    ppa = opts[
        opts["kind"].isin(["solar_ppa", "wind_ppa", "firm_clean_ppa"])
        & opts["kind"].isin(scenario.power_options)
    ]
    idx = pd.MultiIndex.from_product([ppa.index, list(zones.index)], names=["option_id", "zone_id"])
    rows = ppa.loc[idx.get_level_values(0)]
    if rows["price_usd_per_mwh"].isna().any():
        raise InputError(
            "a PPA option has no price_usd_per_mwh",
            file=dataset.files.get("power_options"),
            column="price_usd_per_mwh",
            fix="give every solar_ppa / wind_ppa / firm_clean_ppa row a strike price",
        )
    lead = _months(rows, "lead_time")
    ready, first = _steps_from(steps, scenario.decision_date, lead)
    contracts = pd.DataFrame(
        {
            "kind": rows["kind"].to_numpy(),
            "strike_usd_per_mwh": rows["price_usd_per_mwh"].to_numpy(dtype=float),
            "max_mw": _col(rows, "max_mw", np.inf),
            "lead_time_months": lead,
            "lead_time_years": lead / 12.0,
            "ready_date": pd.to_datetime(ready),
            "first_step": first,
            "contract_years": _col(rows, "contract_years", np.nan),
        },
        index=idx,
    )
    periods = clim["periods"]
    zone_cf = {
        kind: pd.DataFrame(
            clim[f"{kind.split('_')[0]}_cf"], index=sites["zone_id"].to_numpy(), columns=periods.index
        )
        .groupby(level=0)
        .mean()
        for kind in ("solar_ppa", "wind_ppa")
    }
    n = len(periods)
    long = pd.DataFrame(
        {
            "option_id": np.repeat(idx.get_level_values("option_id"), n),
            "zone_id": np.repeat(idx.get_level_values("zone_id"), n),
            "kind": np.repeat(contracts["kind"].to_numpy(), n),
            "period": np.tile(periods.index.to_numpy(), len(contracts)),
        }
    )
    long["cf"] = long["option_id"].map(ppa["capacity_factor"].fillna(0.9)).astype(float)
    for kind, table in zone_cf.items():
        mask = (long["kind"] == kind).to_numpy()
        long.loc[mask, "cf"] = (
            table.stack()
            .reindex(pd.MultiIndex.from_arrays([long.loc[mask, "zone_id"], long.loc[mask, "period"]]))
            .to_numpy()
        )
    return contracts, long.drop(columns="kind").set_index(["option_id", "zone_id", "period"]).sort_index()


def supply_cap_table(dataset: Dataset, scenario: Scenario, generators: pd.DataFrame) -> pd.DataFrame:
    """National caps on new MW per on-site option and calendar year (scenario ``supply_chain`` wins)."""
    if scenario.supply_chain is not None:
        rows = [(o, int(y), float(mw)) for o, by in scenario.supply_chain.items() for y, mw in by.items()]
        caps = pd.DataFrame(rows, columns=["option_id", "year", "max_new_mw"])
    else:
        table = getattr(dataset, "supply_chain", None)
        if table is None or len(table) == 0:
            caps = pd.DataFrame(columns=["option_id", "year", "max_new_mw"])
        else:
            caps = table.reset_index() if "option_id" not in table else table
            caps = caps.rename(columns={"max_new_mw_per_year": "max_new_mw"})[
                ["option_id", "year", "max_new_mw"]
            ]
    caps = caps[caps["option_id"].isin(generators.index)]
    return caps.astype({"year": int, "max_new_mw": float}).set_index(["option_id", "year"]).sort_index()


# --------------------------------------------------------------------------------------------------------
# the assembler


def _opening_cost(cand: pd.DataFrame) -> np.ndarray:
    """``opening_cost_usd_per_year`` of the candidate sites (USD/year; 0 where blank or absent)."""
    if "opening_cost_usd_per_year" not in cand:
        return np.zeros(len(cand))
    return np.nan_to_num(cand["opening_cost_usd_per_year"].to_numpy(dtype=float))


REGION_COLUMNS = ["name", "lat", "lon", "population"]


def latency_tables(
    dataset: Dataset, scenario: Scenario, sites: pd.DataFrame, steps: pd.DataFrame, notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``regions``, ``region_steps`` and ``serve_links`` (:class:`ModelInputs`); empty tables unless the
    scenario has a ``latency`` section.

    A region's demand in a step is ``latency_bound_share`` × the step's IT target × its population share,
    or, when the regions file has ``inference_mw_<year>`` columns, the value of the latest such year on or
    before the step's year (0 before the first). Pairs come from ``site_region_links`` when given (only the
    listed pairs exist), else from great-circle distance (:mod:`siting.features.latency`); only those with
    a round-trip time ≤ ``max_rtt_ms`` are kept.
    """
    lat = scenario.latency
    if lat is None or dataset.demand_regions is None:
        empty_regions = pd.DataFrame(columns=REGION_COLUMNS, index=pd.Index([], name="region_id"))
        idx = pd.MultiIndex.from_arrays([[], []], names=["region_id", "step"])
        links = pd.MultiIndex.from_arrays([[], []], names=["site_id", "region_id"])
        cols = ["distance_km", "rtt_ms", "serving_usd_per_mw_year"]
        return (
            empty_regions,
            pd.DataFrame({"demand_mw": []}, index=idx),
            pd.DataFrame(columns=cols, index=links),
        )
    regions = dataset.demand_regions.set_index("region_id")[REGION_COLUMNS].sort_index()
    demand = _region_demand(dataset.demand_regions.set_index("region_id").sort_index(), scenario, steps)
    region_steps = pd.DataFrame(
        {"demand_mw": demand.ravel(order="F")},
        index=pd.MultiIndex.from_product([regions.index, steps.index], names=["region_id", "step"]),
    )
    links = _serve_links(dataset, scenario, sites, regions)
    out_of_reach = sorted(set(regions.index) - set(links.index.get_level_values("region_id")))
    if out_of_reach:
        notes.append(
            f"{len(out_of_reach)} demand region(s) have no candidate site within {lat.max_rtt_ms:g} ms round "
            f"trip; their latency-bound demand stays unserved (counted as shortfall): {', '.join(out_of_reach[:10])}"
        )
    return regions, region_steps, links


def _region_demand(regions: pd.DataFrame, scenario: Scenario, steps: pd.DataFrame) -> np.ndarray:
    """Latency-bound MW of every step × region (shape ``(n_steps, n_regions)``)."""
    cols = sorted(c for c in regions.columns if str(c).startswith(INFERENCE_MW_PREFIX))
    if not cols:
        bound = scenario.latency.latency_bound_share * steps["target_it_mw"].to_numpy(dtype=float)
        return region_demand_mw(bound, regions["population"].to_numpy(dtype=float))
    years = np.array([int(str(c)[len(INFERENCE_MW_PREFIX) :]) for c in cols])
    table = regions[cols].to_numpy(dtype=float).T  # (n_years, n_regions)
    k = np.searchsorted(years, steps["year"].to_numpy(), side="right") - 1
    return np.where((k >= 0)[:, None], table[np.clip(k, 0, None)], 0.0)


def _serve_links(
    dataset: Dataset, scenario: Scenario, sites: pd.DataFrame, regions: pd.DataFrame
) -> pd.DataFrame:
    """Site × region pairs within the round-trip bound: ``distance_km``, ``rtt_ms``, ``serving_usd_per_mw_year``."""
    lat = scenario.latency
    given = dataset.site_region_links
    if given is not None:
        keep = given.index.get_level_values("site_id").isin(sites.index)
        links = pd.DataFrame(
            {
                "distance_km": np.nan,
                "rtt_ms": given.loc[keep, "latency_ms"].astype(float),
                "serving_usd_per_mw_year": given.loc[keep, "serving_cost_usd_per_mw_year"].astype(float),
            }
        )
    else:
        dist = pair_distance_km(sites["lat"], sites["lon"], regions["lat"], regions["lon"])
        links = pd.DataFrame(
            {
                "distance_km": dist.ravel(),
                "rtt_ms": fiber_rtt_ms(dist, lat.route_factor, lat.equipment_rtt_ms).ravel(),
                "serving_usd_per_mw_year": serving_cost_usd_per_mw_year(
                    dist, lat.route_factor, lat.serving_cost_usd_per_mw_year_per_1000_km
                ).ravel(),
            },
            index=pd.MultiIndex.from_product([sites.index, regions.index], names=["site_id", "region_id"]),
        )
    return links[links["rtt_ms"] <= lat.max_rtt_ms].sort_index()


def prepare_inputs(dataset: Dataset, scenario: Scenario) -> ModelInputs:
    """Build :class:`ModelInputs` for ``scenario`` from ``dataset``: a list of named steps."""
    notes: list[str] = []
    costs = {**DEFAULT_LIVES, **dataset.costs}
    r = scenario.discount_rate
    steps = time_grid(scenario)
    cand = _sites_that_fit(select_sites(dataset, scenario), scenario, costs, notes)
    pts = site_monthly_climate(dataset.climate, cand["lat"], cand["lon"], file=dataset.files.get("climate"))
    clim = climate_features(pts, scenario, _site_weather(dataset, scenario, cand, notes))
    periods = clim["periods"]
    sites = site_table(cand, dataset, scenario, clim, steps, costs)
    site_periods = pd.DataFrame(
        {"pue": clim["pue"].ravel(), "wue_l_per_kwh": clim["wue"].ravel()},
        index=pd.MultiIndex.from_product([sites.index, periods.index], names=["site_id", "period"]),
    )
    zones, zone_steps = zone_tables(dataset, scenario, sites, steps)
    connections, substations = connection_tables(dataset, scenario, sites, steps, costs)
    connections = _energize_when_usable(connections, sites)
    site_cooling, site_cooling_periods = cooling_tables(dataset, scenario, sites, clim, costs)
    peak = site_cooling["pue_peak"].groupby(level="site_id").max().reindex(sites.index)
    facility_max = float((sites["max_phases"] * scenario.phase_mw * peak).max())
    generators = generator_table(dataset, scenario, steps, costs, facility_max)
    contracts, contract_cf = contract_tables(dataset, scenario, steps, zones, sites, clim)
    if sites["dist_gas_km"].isna().all() and generators["uses_fuel"].any():
        notes.append("no gas-infrastructure layer: gas laterals are assumed free and available at every site")
    regions, region_steps, serve_links = latency_tables(dataset, scenario, sites, steps, notes)
    air = scenario.air_permit
    nox = air.max_nox_t_per_year_per_site
    if air.synthetic_minor_source:
        major = float(costs.get("air_permit_major_source_nox_t_per_year", 100.0 * SHORT_TON_T))
        nox = major if nox is None else min(nox, major)
    return ModelInputs(
        name=scenario.name,
        years=scenario.horizon.years,
        decision_date=scenario.decision_date,
        currency_year=scenario.currency_year,
        discount_rate=r,
        steps=steps,
        periods=periods,
        step_periods=step_period_hours(steps, clim["month_hours"], periods.index),
        phase_mw=scenario.phase_mw,
        min_sites=scenario.min_sites,
        max_sites=scenario.max_sites,
        sites=sites,
        site_periods=site_periods,
        site_cooling=site_cooling,
        site_cooling_periods=site_cooling_periods,
        site_water=site_water_table(dataset, sites, pts),
        substations=substations,
        connections=connections,
        zones=zones,
        zone_steps=zone_steps,
        generators=generators,
        contracts=contracts,
        contract_cf=contract_cf,
        supply_caps=supply_cap_table(dataset, scenario, generators),
        regions=regions,
        region_steps=region_steps,
        serve_links=serve_links,
        target_dates_it_mw={d.isoformat(): float(v) for d, v in scenario.targets_it_mw.items()},
        chronological=bool(clim["chrono"]),
        it_utilization=scenario.overrides.it_utilization or float(costs["it_utilization"]),
        grid_allowed="utility_tariff" in scenario.power_options,
        value_of_lost_compute_usd_per_mw_year=scenario.value_of_lost_compute_usd_per_mw_year,
        budget_usd=scenario.budget_usd,
        carbon_cap_tco2_per_year=scenario.carbon_cap_tco2_per_year,
        carbon_price_usd_per_tco2=scenario.carbon_price_usd_per_tco2,
        crf_datacenter=crf(r, float(costs["datacenter_life_years"])),
        crf_interconnection=crf(r, float(costs["interconnection_life_years"])),
        crf_land=crf(r, float(costs["land_life_years"])),
        max_connections_per_site=scenario.interconnection.max_connections_per_site,
        air_gas_mw_per_site=air.max_gas_mw_per_site,
        air_nox_t_per_year_per_site=nox,
        air_co2_t_per_year_per_site=air.max_co2_t_per_year_per_site,
        **_latency_scalars(scenario),
        **_water_scalars(scenario, costs),
        **_grid_carbon_fields(dataset, scenario, zones, clim, notes),
        **_clean_energy_fields(scenario, zones, dataset, notes),
        notes=notes,
    )


def clean_links(
    zones: pd.DataFrame, scenario: Scenario, notes: list[str], all_zones: pd.DataFrame
) -> list[tuple]:
    """(contract zone, load zone) pairs along which contracted clean MWh may be claimed, sorted: every zone
    of the model with itself, plus ``scenario.clean_energy.deliverable_from`` (load zone → contract zones).

    ``zones`` are the model's zones (those with a candidate site), ``all_zones`` the dataset's zone table.
    Zone ids are matched as text. A listed zone that is not in the zone data is an error; one that is in the
    data but has no candidate site in this scenario has no contracts in the model and is skipped with a note.
    """
    ids = {str(z): z for z in zones.index}
    known = {str(z) for z in all_zones.index}
    links = {(z, z) for z in zones.index}
    for to, sources in sorted(scenario.clean_energy.deliverable_from.items()):
        for zone in [to, *sources]:
            if zone not in known:
                raise InputError(
                    f"clean_energy.deliverable_from names zone {zone!r}, which is not in the zone data",
                    column="clean_energy.deliverable_from",
                    fix=f"use zone_id values of the zones file (e.g. {sorted(ids)[:5]})",
                )
        missing = [z for z in [to, *sources] if z not in ids]
        if missing:
            notes.append(
                f"clean_energy.deliverable_from: zone(s) {', '.join(missing)} have no candidate site in this "
                f"scenario, so no contract there is modelled; the link {sources} → {to} is partly unused"
            )
        if to in ids:
            links |= {(ids[z], ids[to]) for z in sources if z in ids}
    return sorted(links)


def zone_period_table(
    dataset: Dataset, scenario: Scenario, zones: pd.DataFrame, clim: dict, notes: list[str]
) -> pd.DataFrame:
    """Grid CO2 factor of every zone of the sites in every period (t/MWh), on ``scenario.grid_carbon.basis``.

    The hourly file's month × hour profile (``dataset.grid_co2_hourly``) weighted by each period's month
    hours (:func:`siting.features.grid_carbon.grid_co2_by_period`); zones the file lacks keep their annual
    rate: eGRID2022 ``grid_co2_kg_per_mwh`` (average) or the optional ``grid_marginal_co2_kg_per_mwh``
    (marginal), flat. A marginal basis with neither for a zone raises :class:`InputError`: no marginal
    rate is embedded, and the average rate is not silently used in its place.
    """
    basis = scenario.grid_carbon.basis
    annual = annual_grid_co2_t_per_mwh(dataset.zones.loc[zones.index], basis)
    profile = getattr(dataset, "grid_co2_hourly", None)
    hourly = set() if profile is None else set(profile.index.get_level_values("zone_id"))
    flat = [z for z in zones.index if z not in hourly]
    missing = [z for z in flat if np.isnan(annual[z])]
    if missing:
        raise InputError(
            f"grid_carbon.basis is marginal but zone(s) {', '.join(map(str, missing[:10]))} of the candidate "
            "sites have no marginal emission factor",
            file=dataset.files.get("grid_co2_hourly", dataset.files.get("zones")),
            column=MARGINAL_ZONE_COLUMN,
            rows=[f"zone_id {z}" for z in missing],
            fix="give grid_carbon.hourly_file with marginal factors for these zones, or a "
            f"{MARGINAL_ZONE_COLUMN} column in zones.csv (e.g. eGRID's non-baseload output rate, kg/MWh), "
            "or use grid_carbon.basis: average",
        )
    if profile is not None and flat:
        notes.append(
            f"grid CO2: zone(s) {', '.join(map(str, flat[:10]))} are not in the hourly file and keep their "
            f"annual {basis} rate in every period"
        )
    return grid_co2_by_period(profile, clim["periods"], clim["month_hours"], annual)


def _grid_carbon_fields(
    dataset: Dataset, scenario: Scenario, zones: pd.DataFrame, clim: dict, notes: list[str]
) -> dict:
    """``zone_periods`` (:func:`zone_period_table`) and ``grid_carbon_basis`` of :class:`ModelInputs`."""
    return {
        "zone_periods": zone_period_table(dataset, scenario, zones, clim, notes),
        "grid_carbon_basis": scenario.grid_carbon.basis,
    }


def _clean_energy_fields(scenario: Scenario, zones: pd.DataFrame, dataset: Dataset, notes: list[str]) -> dict:
    """The ``clean_*`` fields of :class:`ModelInputs` (matching rule, target, deliverable links)."""
    ce = scenario.clean_energy
    return {
        "clean_matching": ce.matching,
        "clean_target_fraction": ce.target_fraction,
        "clean_target_start_year": ce.start_year,
        "clean_target_scope": ce.scope,
        "clean_links": clean_links(zones, scenario, notes, dataset.zones),
    }


def _latency_scalars(scenario: Scenario) -> dict:
    """``latency_max_rtt_ms`` (ms) of the scenario (None: no latency-bound demand)."""
    lat = scenario.latency
    return {"latency_max_rtt_ms": None if lat is None else lat.max_rtt_ms}


def _energize_when_usable(connections: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """A connection is energized (and its charges start) no earlier than its site can first hold IT load:
    the later of the interconnection's ready date and the site's (permitting + construction)."""
    site_ready = sites["ready_date"].reindex(connections.index.get_level_values("site_id")).to_numpy()
    site_first = sites["first_step"].reindex(connections.index.get_level_values("site_id")).to_numpy()
    out = connections.copy()
    out["ready_date"] = pd.to_datetime(np.maximum(connections["ready_date"].to_numpy(), site_ready))
    out["first_step"] = np.maximum(connections["first_step"].to_numpy(), site_first)
    out["available_year"] = out["ready_date"].dt.year.to_numpy()
    return out


def _sites_that_fit(cand: pd.DataFrame, scenario: Scenario, costs: dict, notes: list[str]) -> pd.DataFrame:
    """Drop candidates whose land or ``max_it_mw`` holds less than the minimum site size or one phase."""
    acres_per_mw = float(costs["acres_per_mw_it"])
    max_mw = np.minimum(cand["max_it_mw"].to_numpy(), cand["buildable_acres"].to_numpy() / acres_per_mw)
    max_phases = np.floor(np.minimum(max_mw, scenario.site_max_it_mw) / scenario.phase_mw + 1e-9)
    min_phases = int(np.ceil(scenario.site_min_it_mw / scenario.phase_mw - 1e-9))
    keep = max_phases >= max(min_phases, 1)
    if not keep.all():
        notes.append(
            f"{int((~keep).sum())} candidate site(s) dropped: their land or max_it_mw holds less than "
            f"max(site_min_it_mw, one phase of {scenario.phase_mw:g} MW)"
        )
    if not keep.any():
        raise InfeasibleScenarioError(
            "no candidate site can hold the minimum site size: lower site_min_it_mw or phase_mw"
        )
    return cand[keep]


def _line_class(max_kv: np.ndarray, line_costs: pd.DataFrame) -> np.ndarray:
    """Highest costed line voltage not above each substation's maximum voltage (lowest class otherwise)."""
    classes = np.sort(line_costs["voltage_kv"].unique())
    pos = np.searchsorted(classes, np.asarray(max_kv, dtype=float), side="right") - 1
    return classes[np.clip(pos, 0, len(classes) - 1)]
