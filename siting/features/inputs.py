"""Prepare the model's input tables from a :class:`~siting.data.load.Dataset` and a scenario.

Everything the optimisation model needs is computed here, vectorised, and handed over as tidy tables
(:class:`ModelInputs`); the model itself never reads files or looks at geometries.

Cost conventions
----------------
Capital costs are turned into level annual charges with the capital recovery factor
``CRF = r / (1 − (1 + r)^−n)`` over the asset's life ``n`` and charged in every horizon year in which the
asset exists; land is charged as a 100-year annuity (practically a perpetuity). The objective is the
present value, at the scenario's discount rate, of these charges and of all operating costs in the horizon,
discounted to 1 January of ``decision_year``. The overnight capex of everything built is reported too and
is what ``budget_usd`` caps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy.spatial import cKDTree

from ..data.load import CLIMATE_VARIABLES, Dataset
from ..errors import InfeasibleScenarioError, InputError
from ..scenario import Scenario
from .cooling import diurnal_profile, pue, wue_l_per_kwh
from .geo import nearest_candidates, within_radius
from .resource import solar_capacity_factor, wind_capacity_factor
from .timing import first_online_year

MILES_PER_KM = 1.0 / 1.609344
HOURS_PER_YEAR = 8760.0
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: Diurnal wet-bulb swing as a fraction of the dry-bulb swing (moisture is roughly conserved over a day,
#: so wet-bulb varies much less than dry-bulb; ≈0.3–0.4 in the pvlib/diyepw TMY files). Unverified.
WET_BULB_DIURNAL_FRACTION = 0.35
#: Asset lives (years) used when ``costs.csv`` has no row for them. Unverified defaults.
DEFAULT_LIVES = {"datacenter_life_years": 20.0, "interconnection_life_years": 40.0, "land_life_years": 100.0}
GAS_CO2_KG_PER_MMBTU = 53.06  # EPA emission factor for natural gas


def crf(rate: float, life_years: float) -> float:
    """Capital recovery factor (1/year) at real discount ``rate`` over ``life_years``."""
    if life_years <= 0:
        raise ValueError("life_years must be > 0")
    if rate == 0:
        return 1.0 / life_years
    return rate / (1.0 - (1.0 + rate) ** (-life_years))


@dataclass
class ModelInputs:
    """Tables and scalars for :func:`siting.model.build.build_model` (units in every column name).

    Tables
    ------
    periods : index ``period``; ``hours`` (weight, h/year; sums to 8,760)
    sites : index ``site_id``; ``name``, ``state``, ``zone_id``, ``lat``, ``lon``, ``max_phases``,
        ``min_phases``, ``first_online_year``, ``permitting_lead_time_years``, ``construction_lead_time_years``,
        ``pue_peak``, ``land_usd_per_mw``, ``construction_usd_per_mw``, ``dc_fixed_om_usd_per_mw_year``
    site_periods : index (``site_id``, ``period``); ``pue``, ``wue_l_per_kwh``
    substations : index ``substation_id``; ``headroom_mw``, ``max_voltage_kv``, ``zone_id``, ``name``, ``lat``, ``lon``
    connections : index (``site_id``, ``substation_id``); ``distance_km``, ``voltage_kv``, ``max_mw``,
        ``fixed_cost_usd``, ``cost_usd_per_mw``, ``lead_time_years``, ``available_year``
    zones : index ``zone_id``; ``tariff_usd_per_mwh``, ``wholesale_usd_per_mwh``, ``grid_co2_t_per_mwh``
    generators : index ``option_id`` (owned on-site plant: kinds ``onsite_gas`` and ``battery``); ``kind``,
        ``capex_usd_per_mw``, ``fixed_om_usd_per_mw_year``, ``marginal_cost_usd_per_mwh`` (VOM + fuel),
        ``fuel_usd_per_mwh``, ``co2_t_per_mwh``, ``availability``, ``max_mw_per_site``, ``life_years``,
        ``lead_time_years``, ``available_year``
    contracts : index (``option_id``, ``zone_id``); ``kind``, ``strike_usd_per_mwh``, ``max_mw``,
        ``lead_time_years``, ``available_year``, ``contract_years``
    contract_cf : index (``option_id``, ``zone_id``, ``period``); ``cf`` (–)
    """

    name: str
    years: list[int]
    decision_year: int
    currency_year: int
    discount_rate: float
    periods: pd.DataFrame
    targets_it_mw: pd.Series
    phase_mw: float
    min_sites: int
    max_sites: int | None
    sites: pd.DataFrame
    site_periods: pd.DataFrame
    substations: pd.DataFrame
    connections: pd.DataFrame
    zones: pd.DataFrame
    generators: pd.DataFrame
    contracts: pd.DataFrame
    contract_cf: pd.DataFrame
    it_utilization: float = 0.8
    grid_allowed: bool = True
    value_of_lost_compute_usd_per_mw_year: float = 10.0e6
    budget_usd: float | None = None
    carbon_cap_tco2_per_year: float | None = None
    carbon_price_usd_per_tco2: float = 0.0
    crf_datacenter: float = 0.0944
    crf_interconnection: float = 0.075
    crf_land: float = 0.07
    notes: list[str] = field(default_factory=list)

    def discount_factor(self, year: int) -> float:
        """Present-value factor of a cost in ``year`` (discounted to 1 Jan of ``decision_year``)."""
        return (1.0 + self.discount_rate) ** (-(year - self.decision_year))


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


def site_monthly_climate(climate: xr.Dataset, lat, lon, file=None, max_offset_deg: float = 0.5) -> xr.Dataset:
    """Monthly climate at points, dims (``site``, ``month``), from the nearest grid cell that has data.

    Coastal points often fall in an ocean or lake cell (NaN); they take the nearest cell with data within
    ``max_offset_deg`` (KD-tree on latitude and cos(latitude)-scaled longitude), otherwise an InputError.
    """
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    fields = CLIMATE_VARIABLES
    valid = np.ones((climate.sizes["lat"], climate.sizes["lon"]), dtype=bool)
    for var in fields:
        valid &= climate[var].notnull().all("month").transpose("lat", "lon").to_numpy()
    ii, jj = np.nonzero(valid)
    if ii.size == 0:
        raise InputError("climate grid has no cell with data", file=file, fix="check the climate file")
    glat, glon = climate["lat"].to_numpy()[ii], climate["lon"].to_numpy()[jj]
    scale = np.cos(np.radians(np.nanmean(lat))) if lat.size else 1.0
    tree = cKDTree(np.column_stack([glat, glon * scale]))
    dist, k = tree.query(np.column_stack([lat, lon * scale]), distance_upper_bound=max_offset_deg)
    bad = np.flatnonzero(~np.isfinite(dist))
    if bad.size:
        raise InputError(
            f"climate has no data within {max_offset_deg}° of {bad.size} site(s), e.g. lat {lat[bad[0]]:.3f} "
            f"lon {lon[bad[0]]:.3f}",
            file=file,
            column=fields[0],
            rows=[int(b) for b in bad],
            fix="extend the climate grid to cover the sites (or move the sites onto land cells)",
        )
    return climate[list(fields)].isel(
        lat=xr.DataArray(ii[k], dims="site"), lon=xr.DataArray(jj[k], dims="site")
    )


def monthly_pue_wue(pts: xr.Dataset, cooling: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly mean PUE, WUE and the design-peak PUE of each site.

    A typical day per month is synthesised with :func:`~siting.features.cooling.diurnal_profile`
    (dry-bulb between the monthly mean daily minimum and maximum; wet-bulb around its monthly mean with
    :data:`WET_BULB_DIURNAL_FRACTION` of the dry-bulb swing); PUE and WUE are evaluated hourly and
    averaged. The peak PUE is that of the hottest synthesised hour (used to size the power supply).

    Returns
    -------
    pue_month (site, 12), wue_month (site, 12) in L/kWh, pue_peak (site,)
    """
    t_mean, t_max, t_min = (
        pts[v].transpose("site", "month").to_numpy() for v in ("t2m_c", "t2m_max_c", "t2m_min_c")
    )
    wb_mean = pts["wet_bulb_c"].transpose("site", "month").to_numpy()
    db = diurnal_profile(t_mean, t_max, t_min)
    half = 0.5 * WET_BULB_DIURNAL_FRACTION * (t_max - t_min)
    wb = diurnal_profile(wb_mean, wb_mean + half, wb_mean - half)
    wb = np.minimum(wb, db)
    p = pue(db, wb, cooling)
    w = wue_l_per_kwh(db, cooling)
    return p.mean(axis=-1), w.mean(axis=-1), p.max(axis=(-1, -2))


def representative_hours(pts: xr.Dataset, cooling: str, n_days: int) -> dict:
    """Hourly features of the sites, clustered into ``n_days`` representative days (tsam).

    The hourly typical year is synthesised from the monthly climate
    (:func:`~siting.features.climate.synthesize_hourly_temperature`, GHI from a scaled clear sky), hourly
    PUE/WUE and PV capacity factors follow from :func:`~siting.features.climate.site_climate_features`;
    wind keeps the monthly Rayleigh capacity factor of :mod:`siting.features.resource` in every hour of
    the month (the embedded climate has no hourly wind). The design-peak PUE is the maximum over all 8,760
    hours, not only the representative ones.

    Returns
    -------
    dict with ``periods`` (DataFrame: ``hours`` weight per representative hour, summing to 8,760),
    ``pue``, ``wue``, ``solar_cf``, ``wind_cf`` (arrays site × period) and ``pue_peak`` (site,).
    """
    from .climate import (
        representative_periods,
        site_climate_features,
        synthesize_hourly_ghi,
        synthesize_hourly_temperature,
    )

    monthly = pts[["t2m_c", "t2m_max_c", "t2m_min_c", "wet_bulb_c"]]
    weather = synthesize_hourly_temperature(monthly)
    weather["ghi_w_per_m2"] = synthesize_hourly_ghi(pts["ghi_kwh_per_m2_day"]).transpose(
        *weather["dry_bulb_c"].dims
    )
    feats = site_climate_features(weather, cooling_design=cooling)
    wind_month = xr.DataArray(
        wind_capacity_factor(pts["wind_speed_100m_m_per_s"].transpose("site", "month").to_numpy()),
        dims=("site", "month"),
        coords={"month": pts["month"]},
    )
    feats["wind_cf"] = (
        wind_month.sel(month=feats["time"].dt.month).drop_vars("month").transpose("site", "time")
    )
    feats = feats[["pue", "wue_l_per_kwh", "solar_cf", "wind_cf"]].astype("float64").load()
    rep = representative_periods(
        feats, n_periods=n_days, preserve_means=["solar_cf", "wind_cf", "wue_l_per_kwh"]
    )
    n_per, n_hour = rep.sizes["period"], rep.sizes["hour"]
    weight = np.repeat(rep["weight_hours"].to_numpy() / n_hour, n_hour)

    def flat(name):
        return rep[name].transpose("site", "period", "hour").to_numpy().reshape(-1, n_per * n_hour)

    return {
        "periods": pd.DataFrame(
            {"hours": weight}, index=pd.Index(np.arange(1, n_per * n_hour + 1), name="period")
        ),
        "pue": flat("pue"),
        "wue": flat("wue_l_per_kwh"),
        "solar_cf": flat("solar_cf"),
        "wind_cf": flat("wind_cf"),
        "pue_peak": feats["pue"].max("time").to_numpy(),
    }


# --------------------------------------------------------------------------------------------------------
# the assembler


def prepare_inputs(dataset: Dataset, scenario: Scenario) -> ModelInputs:
    """Build :class:`ModelInputs` for ``scenario`` from ``dataset`` (all vectorised)."""
    notes: list[str] = []
    ov = scenario.overrides
    r = scenario.discount_rate
    years = scenario.horizon.years
    dy = scenario.decision_year
    costs = {**DEFAULT_LIVES, **dataset.costs}

    # periods: the 12 months, weighted by their hours
    periods = pd.DataFrame({"hours": DAYS_IN_MONTH * 24.0}, index=pd.Index(np.arange(1, 13), name="period"))

    # sites ---------------------------------------------------------------------------------------------
    cand = select_sites(dataset, scenario)
    zones = dataset.zones
    acres_per_mw = float(costs["acres_per_mw_it"])
    max_mw = np.minimum(cand["max_it_mw"].to_numpy(), cand["buildable_acres"].to_numpy() / acres_per_mw)
    max_mw = np.minimum(max_mw, scenario.site_max_it_mw)
    max_phases = np.floor(max_mw / scenario.phase_mw + 1e-9).astype(int)
    min_phases = int(np.ceil(scenario.site_min_it_mw / scenario.phase_mw - 1e-9))
    keep = max_phases >= max(min_phases, 1)
    if not keep.all():
        notes.append(
            f"{int((~keep).sum())} candidate site(s) dropped: their land or max_it_mw holds less than "
            f"max(site_min_it_mw, one phase of {scenario.phase_mw:g} MW)"
        )
    cand, max_phases = cand[keep], max_phases[keep]
    if len(cand) == 0:
        raise InfeasibleScenarioError(
            "no candidate site can hold the minimum site size: lower site_min_it_mw or phase_mw"
        )
    permit = cand["permitting_lead_time_years"].to_numpy(dtype=float)
    if ov.permitting_lead_time_years is not None:
        permit = np.full(len(cand), ov.permitting_lead_time_years)
    build = ov.construction_lead_time_years
    build = float(costs["construction_lead_time_years"]) if build is None else build
    capex_kw = ov.construction_capex_usd_per_kw_it
    capex_kw = float(costs["construction_capex_usd_per_kw_it"]) if capex_kw is None else capex_kw
    zone_of_site = zones.loc[cand["zone_id"].to_numpy()]
    pts = site_monthly_climate(dataset.climate, cand["lat"], cand["lon"], file=dataset.files.get("climate"))
    if scenario.time_resolution.kind == "representative_days":
        rep = representative_hours(pts, scenario.cooling, scenario.time_resolution.n_days)
        periods = rep["periods"]
        pue_m, wue_m, pue_peak = rep["pue"], rep["wue"], rep["pue_peak"]
        solar, wind = rep["solar_cf"], rep["wind_cf"]
    else:
        pue_m, wue_m, pue_peak = monthly_pue_wue(pts, scenario.cooling)
        solar = solar_capacity_factor(pts["ghi_kwh_per_m2_day"].transpose("site", "month").to_numpy())
        wind = wind_capacity_factor(pts["wind_speed_100m_m_per_s"].transpose("site", "month").to_numpy())
    sites = pd.DataFrame(
        {
            "name": cand["name"].to_numpy(),
            "state": cand["state"].to_numpy(),
            "zone_id": cand["zone_id"].to_numpy(),
            "lat": cand["lat"].to_numpy(),
            "lon": cand["lon"].to_numpy(),
            "max_phases": max_phases,
            "min_phases": min_phases,
            "permitting_lead_time_years": permit,
            "construction_lead_time_years": build,
            "first_online_year": first_online_year(dy, permit + build),
            "pue_peak": pue_peak,
            "pue_annual": (pue_m * periods["hours"].to_numpy()).sum(axis=1) / periods["hours"].sum(),
            "land_usd_per_mw": cand["land_cost_usd_per_acre"].to_numpy() * acres_per_mw,
            "construction_usd_per_mw": capex_kw
            * 1000.0
            * zone_of_site["construction_cost_multiplier"].to_numpy(),
            "dc_fixed_om_usd_per_mw_year": float(costs["datacenter_fixed_om_usd_per_kw_it_year"]) * 1000.0,
        },
        index=pd.Index(cand.index.to_numpy(), name="site_id"),
    )
    site_periods = pd.DataFrame(
        {"pue": pue_m.ravel(), "wue_l_per_kwh": wue_m.ravel()},
        index=pd.MultiIndex.from_product([sites.index, periods.index], names=["site_id", "period"]),
    )

    # zones -----------------------------------------------------------------------------------------------
    used_zones = zones.loc[sorted(set(sites["zone_id"]))]
    zone_tab = pd.DataFrame(
        {
            "tariff_usd_per_mwh": used_zones["industrial_price_usd_per_mwh"]
            * ov.electricity_price_multiplier,
            "wholesale_usd_per_mwh": used_zones["wholesale_price_usd_per_mwh"]
            * ov.electricity_price_multiplier,
            "grid_co2_t_per_mwh": used_zones["grid_co2_kg_per_mwh"] / 1000.0,
            "name": used_zones["zone_name"],
            "iso": used_zones["iso"],
        }
    )
    zone_tab.index.name = "zone_id"

    # grid connections ------------------------------------------------------------------------------------
    grid_allowed = "utility_tariff" in scenario.power_options
    ic = scenario.interconnection
    subs = dataset.substations
    subs = subs[(subs["max_voltage_kv"] >= ic.min_voltage_kv) & (subs["headroom_mw"] > 0)]
    pairs = nearest_candidates(
        dataset.candidate_sites.loc[sites.index], subs, ic.candidates_per_site, ic.max_distance_km
    ).rename(columns={"target_id": "substation_id"})
    if not grid_allowed:
        pairs = pairs.iloc[0:0]
    sub_of = subs.loc[pairs["substation_id"].to_numpy()]
    line_class = _line_class(sub_of["max_voltage_kv"].to_numpy(), dataset.line_costs)
    region = zones.loc[sub_of["zone_id"].to_numpy(), "line_cost_region"].to_numpy()
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
    lead = zones.loc[sub_of["zone_id"].to_numpy(), "interconnection_lead_time_years"].to_numpy(dtype=float)
    if ic.lead_time_years is not None:
        lead = np.full(len(pairs), ic.lead_time_years)
    lead = lead + ic.extra_delay_years
    dist = np.maximum(pairs["distance_km"].to_numpy(), 1.0)  # at least a 1 km tie-in
    route = float(costs["route_factor"])
    connections = pd.DataFrame(
        {
            "distance_km": pairs["distance_km"].to_numpy(),
            "voltage_kv": line_class,
            "max_mw": np.minimum(sub_of["headroom_mw"].to_numpy(), lc_rows["line_capacity_mw"].to_numpy()),
            "fixed_cost_usd": dist * MILES_PER_KM * route * lc_rows["line_cost_usd_per_mile"].to_numpy()
            + lc_rows["substation_upgrade_usd"].to_numpy(),
            "cost_usd_per_mw": float(costs["network_upgrade_usd_per_kw"]) * 1000.0,
            "lead_time_years": lead,
            "available_year": first_online_year(dy, lead) if len(pairs) else np.array([], dtype=int),
        },
        index=pd.MultiIndex.from_arrays(
            [pairs["site_id"].to_numpy(), pairs["substation_id"].to_numpy()],
            names=["site_id", "substation_id"],
        ),
    )
    used_subs = subs.loc[sorted(set(pairs["substation_id"]))]
    substations = pd.DataFrame(
        {
            "headroom_mw": used_subs["headroom_mw"].to_numpy(dtype=float),
            "max_voltage_kv": used_subs["max_voltage_kv"].to_numpy(dtype=float),
            "zone_id": used_subs["zone_id"].to_numpy(),
            "name": used_subs["name"].astype(str).to_numpy(),
            "lat": used_subs["lat"].to_numpy(),
            "lon": used_subs["lon"].to_numpy(),
        },
        index=pd.Index(used_subs.index.to_numpy(), name="substation_id"),
    )

    # owned on-site plant ---------------------------------------------------------------------------------
    opts = dataset.power_options
    gas_price = ov.gas_price_usd_per_mmbtu
    gas_price = float(costs["gas_price_usd_per_mmbtu"]) if gas_price is None else gas_price
    own = opts[opts["kind"].isin(["onsite_gas", "battery"]) & opts["kind"].isin(scenario.power_options)]
    hr = own["heat_rate_mmbtu_per_mwh"].fillna(0.0).to_numpy()
    fuel = hr * gas_price
    co2 = own["co2_kg_per_mwh"].to_numpy(dtype=float)
    co2 = np.where(np.isnan(co2), hr * GAS_CO2_KG_PER_MMBTU, co2) / 1000.0
    generators = pd.DataFrame(
        {
            "kind": own["kind"].to_numpy(),
            "name": own.get("name", own["option_id"]).to_numpy(),
            "capex_usd_per_mw": own["capex_usd_per_kw"].fillna(0.0).to_numpy() * 1000.0,
            "fixed_om_usd_per_mw_year": own["fixed_om_usd_per_kw_year"].fillna(0.0).to_numpy() * 1000.0,
            "fuel_usd_per_mwh": fuel,
            "marginal_cost_usd_per_mwh": own["variable_om_usd_per_mwh"].fillna(0.0).to_numpy() + fuel,
            "co2_t_per_mwh": co2,
            "availability": own["capacity_factor"].fillna(1.0).to_numpy(),
            "max_mw_per_site": own["max_mw"].fillna(np.inf).to_numpy(),
            "life_years": own["life_years"].fillna(20.0).to_numpy(),
            "max_operating_years": own.get("max_operating_years", pd.Series(np.nan, index=own.index))
            .fillna(np.inf)
            .to_numpy(dtype=float),
            "lead_time_years": own["lead_time_years"].to_numpy(dtype=float),
            "available_year": first_online_year(dy, own["lead_time_years"].to_numpy(dtype=float))
            if len(own)
            else np.array([], dtype=int),
        },
        index=pd.Index(own.index.to_numpy(), name="option_id"),
    )
    generators["crf"] = [crf(r, life) for life in generators["life_years"]]
    # last year an option may run (temporary permits), and its firm share of nameplate for the peak
    generators["retire_year"] = generators["available_year"] + generators["max_operating_years"]
    reserve = (
        float(costs.get("onsite_reserve_margin", 0.0))
        if ov.onsite_reserve_margin is None
        else ov.onsite_reserve_margin
    )
    generators["firm_fraction"] = np.where(
        generators["kind"] == "battery", 1.0, generators["availability"] / (1.0 + reserve)
    )

    # contracts (PPAs), one per option and zone with a candidate site ------------------------------------
    ppa = opts[
        opts["kind"].isin(["solar_ppa", "wind_ppa", "firm_clean_ppa"])
        & opts["kind"].isin(scenario.power_options)
    ]
    zone_ids = list(zone_tab.index)
    idx = pd.MultiIndex.from_product([ppa.index, zone_ids], names=["option_id", "zone_id"])
    contracts = pd.DataFrame(
        {
            "kind": ppa.loc[idx.get_level_values(0), "kind"].to_numpy(),
            "strike_usd_per_mwh": ppa.loc[idx.get_level_values(0), "price_usd_per_mwh"].to_numpy(dtype=float),
            "max_mw": ppa.loc[idx.get_level_values(0), "max_mw"].fillna(np.inf).to_numpy(dtype=float),
            "lead_time_years": ppa.loc[idx.get_level_values(0), "lead_time_years"].to_numpy(dtype=float),
            "contract_years": ppa.loc[idx.get_level_values(0)]
            .get("contract_years", pd.Series(np.nan, index=idx.get_level_values(0)))
            .to_numpy(dtype=float),
        },
        index=idx,
    )
    contracts["available_year"] = (
        first_online_year(dy, contracts["lead_time_years"].to_numpy()) if len(contracts) else []
    )
    if contracts["strike_usd_per_mwh"].isna().any():
        raise InputError(
            "a PPA option has no price_usd_per_mwh",
            file=dataset.files.get("power_options"),
            column="price_usd_per_mwh",
            fix="give every solar_ppa / wind_ppa / firm_clean_ppa row a strike price",
        )
    # capacity factors by zone and month: mean over the zone's candidate sites (the PPA project is assumed
    # to sit in the same zone as the load it is matched to)
    # (zone, period) tables per kind; firm contracts are flat at their capacity factor (0.9 if not given)
    zone_cf = {
        kind: pd.DataFrame(arr, index=sites["zone_id"].to_numpy(), columns=periods.index)
        .groupby(level=0)
        .mean()
        for kind, arr in (("solar_ppa", solar), ("wind_ppa", wind))
    }
    firm_cf = ppa["capacity_factor"].fillna(0.9)
    long = pd.DataFrame(
        {
            "option_id": np.repeat(contracts.index.get_level_values("option_id"), len(periods)),
            "zone_id": np.repeat(contracts.index.get_level_values("zone_id"), len(periods)),
            "kind": np.repeat(contracts["kind"].to_numpy(), len(periods)),
            "period": np.tile(periods.index.to_numpy(), len(contracts)),
        }
    )
    long["cf"] = long["option_id"].map(firm_cf).astype(float)
    for kind, table in zone_cf.items():
        mask = (long["kind"] == kind).to_numpy()
        stacked = table.stack()
        long.loc[mask, "cf"] = stacked.reindex(
            pd.MultiIndex.from_arrays([long.loc[mask, "zone_id"], long.loc[mask, "period"]])
        ).to_numpy()
    contract_cf = long.drop(columns="kind").set_index(["option_id", "zone_id", "period"]).sort_index()

    targets = pd.Series(scenario.target_by_year(), name="target_it_mw")
    targets.index.name = "year"
    it_util = ov.it_utilization or float(costs["it_utilization"])
    return ModelInputs(
        name=scenario.name,
        years=years,
        decision_year=dy,
        currency_year=scenario.currency_year,
        discount_rate=r,
        periods=periods,
        targets_it_mw=targets,
        phase_mw=scenario.phase_mw,
        min_sites=scenario.min_sites,
        max_sites=scenario.max_sites,
        sites=sites,
        site_periods=site_periods,
        substations=substations,
        connections=connections,
        zones=zone_tab,
        generators=generators,
        contracts=contracts,
        contract_cf=contract_cf,
        it_utilization=it_util,
        grid_allowed=grid_allowed,
        value_of_lost_compute_usd_per_mw_year=scenario.value_of_lost_compute_usd_per_mw_year,
        budget_usd=scenario.budget_usd,
        carbon_cap_tco2_per_year=scenario.carbon_cap_tco2_per_year,
        carbon_price_usd_per_tco2=scenario.carbon_price_usd_per_tco2,
        crf_datacenter=crf(r, float(costs["datacenter_life_years"])),
        crf_interconnection=crf(r, float(costs["interconnection_life_years"])),
        crf_land=crf(r, float(costs["land_life_years"])),
        notes=notes,
    )


def _line_class(max_kv: np.ndarray, line_costs: pd.DataFrame) -> np.ndarray:
    """Highest costed line voltage not above each substation's maximum voltage (lowest class otherwise)."""
    classes = np.sort(line_costs["voltage_kv"].unique())
    pos = np.searchsorted(classes, np.asarray(max_kv, dtype=float), side="right") - 1
    return classes[np.clip(pos, 0, len(classes) - 1)]
