"""The siting MILP in Pyomo: sets, variables, one function per constraint family, and the objective.

Built from :class:`~siting.model.inputs.ModelInputs` only (the model never reads files). Units: power in
MW, energy in MWh, money in real USD of the scenario's currency year, emissions in tCO2 (NOx in t).

Time is a list of **steps** ``t`` (months, quarters, then years; ``ModelInputs.steps``) of length
``years[t]``; dispatch runs on the climate periods ``p`` of each step with ``hours[t, p]`` hours.

Decision variables
------------------
``open[s]``              binary, site s is developed
``phases[s,t]``          integer, number of ``phase_mw`` IT blocks online at site s in step t (cumulative)
``connect[s,b]``         binary, site s connects to substation b (one of several allowed)
``circuits[s,b]``        integer, parallel circuits built on that connection
``firm_mw[s,b]``         MW of full-requirements (firm) service contracted: demand charge, minimum take
``standby_mw[s,b]``      MW of standby service contracted: standby charge, no minimum take
``gen_mw[s,g,t]``        MW of on-site plant g at site s in step t (added ``add_mw``, retired ``ret_mw``)
``bat_mwh[s,g,t]``       MWh of battery energy (added ``add_mwh``, retired ``ret_mwh``)
``bat_firm_mw[s,t]``     MW of the peak that batteries cover (bounded by their energy over the peak window)
``gen_out[s,g,t,p]``     average MW output of fuel-burning plant g in period p of step t
``bat_ch/bat_dis/soc``   battery charge, discharge (MW) and state of charge (MWh), representative days only
``grid_out[s,t,p]``      average MW imported from the grid
``take_short_mwh[s,t]``  MWh of the tariff's minimum take not consumed (paid anyway)
``gas_lateral[s]``       binary, a gas lateral is built to site s
``ppa_mw[k,z,t]``        MW of contract k in zone z (cumulative)
``clean_mwh[y,z,t(,p)]`` contracted clean MWh of zone y's contracts claimed against grid purchases in zone z
                         (y = z, or y listed as deliverable to z), per step (annual matching) or per
                         period of the step (hourly, 24/7 matching)
``shortfall_mw[t]``      IT MW below the target in step t
``serve_mw[s,r,t]``      IT MW at site s serving demand region r (pairs within the latency bound only)
``cool[s,c]``            binary, site s is built with cooling design c (only when the scenario offers several)
``it_cool_mw[s,c,t]``    IT MW of site s cooled by design c in step t (Σ_c = ``it_mw[s,t]``; idem)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from ..features.timing import HOURS_PER_YEAR
from .inputs import BATTERY_DURATION_BOUNDS_H, ModelInputs

COST_CATEGORIES = (
    "land",
    "construction",
    "interconnection",
    "grid_capacity",
    "onsite_generation",
    "storage",
    "energy",
    "fuel",
    "contracts",
    "operations",
    "carbon",
    "shortfall_penalty",
)
#: The single definition of reported and capped emissions (plan.json ``emissions_definition``).
EMISSIONS_DEFINITION = (
    "tCO2 = grid MWh × zone rate of the period (annual eGRID unless hourly factors are given) − contracted "
    "clean MWh claimed along deliverable links (at most the grid MWh bought in the load zone, per step or per "
    "hour under hourly matching) × the load zone's rate (of the hour, or annual) + on-site fuel MWh × the "
    "plant's rate"
)


# ------------------------------------------------------------------------------------------------ sets
def add_sets_and_parameters(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """Index sets (sorted, for determinism) and the lookup data the constraints use."""
    # plain-dict views of the tables: pandas scalar lookups are far too slow inside model-building loops
    m._site = d.sites.to_dict("index")
    m._gen = d.generators.to_dict("index")
    m._zone = d.zones.to_dict("index")
    m._sub = d.substations.to_dict("index")
    m._contract = d.contracts.to_dict("index")
    m._conn = d.connections.to_dict("index")
    m._step = d.steps.to_dict("index")
    m._d = d
    m.S = pyo.Set(initialize=sorted(d.sites.index), ordered=True)
    m.T = pyo.Set(initialize=sorted(d.steps.index), ordered=True)
    m.P = pyo.Set(initialize=sorted(d.periods.index), ordered=True)
    m.TP = pyo.Set(dimen=2, initialize=sorted(d.step_periods.index), ordered=True)
    m.C = pyo.Set(dimen=2, initialize=sorted(d.connections.index), ordered=True)
    m.B = pyo.Set(initialize=sorted(d.substations.index), ordered=True)
    m.G = pyo.Set(initialize=sorted(d.generators.index), ordered=True)
    m.GAS = pyo.Set(initialize=[g for g in m.G if m._gen[g]["kind"] != "battery"], ordered=True)
    m.BAT = pyo.Set(initialize=[g for g in m.G if m._gen[g]["kind"] == "battery"], ordered=True)
    m.FUEL = pyo.Set(initialize=[g for g in m.GAS if m._gen[g]["uses_fuel"]], ordered=True)
    m.K = pyo.Set(dimen=2, initialize=sorted(d.contracts.index), ordered=True)
    m.Z = pyo.Set(initialize=sorted(d.zones.index), ordered=True)
    m._h = d.step_periods["hours"].to_dict()
    hours = d.hours_by_step()
    m._periods_of_step = {t: list(hours.get(t, {})) for t in m.T}
    m._conns_of_site = {s: [(s2, b) for (s2, b) in m.C if s2 == s] for s in m.S}
    m._conns_of_sub = {b: [(s, b2) for (s, b2) in m.C if b2 == b] for b in m.B}
    m._sites_of_zone = {z: [s for s in m.S if m._site[s]["zone_id"] == z] for z in m.Z}
    m._contracts_of_zone = {z: [(k, z2) for (k, z2) in m.K if z2 == z] for z in m.Z}
    _add_clean_energy_sets(m, d)
    m._pue = d.site_periods["pue"].to_dict()
    m._cf = d.contract_cf["cf"].to_dict()
    m._price = d.zone_steps["energy_usd_per_mwh"].to_dict()
    m._df = {t: float(m._step[t]["discount_factor"]) for t in m.T}
    m._yrs = {t: float(m._step[t]["years"]) for t in m.T}
    m._prev = dict(zip(list(m.T)[1:], list(m.T)[:-1], strict=True))
    # connections energized in step t, and those still inside their tariff's minimum-take window
    m._energized = {
        (s, t): [c for c in m._conns_of_site[s] if m._conn[c]["first_step"] <= t] for s in m.S for t in m.T
    }
    m._min_take = {}
    for s in m.S:
        z = m._site[s]["zone_id"]
        frac, years = float(m._zone[z]["min_take_fraction"]), float(m._zone[z]["min_take_years"])
        for t in m.T:
            start = m._step[t]["start"]
            m._min_take[(s, t)] = [
                c
                for c in m._energized[(s, t)]
                if frac > 0
                and start < m._conn[c]["ready_date"] + np.timedelta64(int(round(years * 365.25)), "D")
            ]
    # net proceeds (USD per MW or MWh retired) of selling or retiring plant in step t: the salvage value
    # minus what is still owed on it after the horizon (the model charges the capital annuity on everything
    # bought until the horizon ends; a plant kept to the end carries the rest as terminal value)
    left = d.steps["years"][::-1].cumsum()[::-1].to_dict()  # years from each step's start to the horizon end
    r = d.discount_rate
    annuity = {t: (left[t] if r == 0 else (1 - (1 + r) ** -left[t]) / r) for t in m.T}
    m._sale_credit = {
        (g, t): float(m._gen[g]["salvage_fraction"]) - max(0.0, 1.0 - float(m._gen[g]["crf"]) * annuity[t])
        for g in m.G
        for t in m.T
    }
    # previous period within a representative day (cyclic), for the battery state of charge
    per = d.periods
    if d.chronological:
        first_of_day = per.groupby("day")["hour"].transform("min")
        last_idx = per.reset_index().groupby("day")["period"].max().to_dict()
        m._prev_p = {
            p: (last_idx[per.at[p, "day"]] if per.at[p, "hour"] == first_of_day[p] else p - 1)
            for p in per.index
        }


def _add_clean_energy_sets(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """Deliverable links ``ZL`` (contract zone, load zone) and grid CO2 rates (t/MWh) by zone and period
    (``d.zone_periods``, or the annual rate when a hand-built input has none) and by zone (annual)."""
    links = d.clean_links or [(z, z) for z in m.Z]
    m.ZL = pyo.Set(dimen=2, initialize=sorted(links), ordered=True)
    m._links_from = {z: [(y, x) for (y, x) in m.ZL if y == z] for z in m.Z}
    m._links_to = {z: [(y, x) for (y, x) in m.ZL if x == z] for z in m.Z}
    m._hourly_clean = d.clean_matching == "hourly"
    m._co2_annual = {z: float(m._zone[z]["grid_co2_t_per_mwh"]) for z in m.Z}
    if len(d.zone_periods):
        rate = d.zone_periods["grid_co2_t_per_mwh"].astype(float)
        m._co2 = rate.to_dict()
        # annual claims displace the basis's annual rate: the hours-weighted mean of the periods
        w = d.periods["hours"].reindex(rate.index.get_level_values("period")).to_numpy()
        mean = (rate * w).groupby(level="zone_id").sum() / pd.Series(w, index=rate.index).groupby(
            level="zone_id"
        ).sum()
        flat = rate.groupby(level="zone_id").agg(lambda r: r.iloc[0] if r.nunique() == 1 else np.nan)
        m._co2_annual = {z: float(flat[z]) if not np.isnan(flat[z]) else float(mean[z]) for z in m.Z}
    else:
        m._co2 = {(z, p): m._co2_annual[z] for z in m.Z for p in m.P}


# ------------------------------------------------------------------------------------------------ variables
def add_variables(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """Variables with their natural bounds; capacity before its ready date is fixed to zero."""
    m.open = pyo.Var(m.S, within=pyo.Binary)
    m.phases = pyo.Var(
        m.S, m.T, within=pyo.NonNegativeIntegers, bounds=lambda m, s, t: (0, int(m._site[s]["max_phases"]))
    )
    m.connect = pyo.Var(m.C, within=pyo.Binary)
    m.circuits = pyo.Var(
        m.C, within=pyo.NonNegativeIntegers, bounds=lambda m, s, b: (0, int(m._conn[(s, b)]["max_circuits"]))
    )
    conn_ub = lambda m, s, b: (0, float(m._conn[(s, b)]["max_mw"]))  # noqa: E731
    m.firm_mw = pyo.Var(m.C, within=pyo.NonNegativeReals, bounds=conn_ub)
    m.standby_mw = pyo.Var(m.C, within=pyo.NonNegativeReals, bounds=conn_ub)

    def gen_bounds(m, s, g, t):
        return (0, float(m._gen[g]["max_mw_per_site"]))

    m.gen_mw = pyo.Var(m.S, m.G, m.T, within=pyo.NonNegativeReals, bounds=gen_bounds)
    m.add_mw = pyo.Var(m.S, m.G, m.T, within=pyo.NonNegativeReals)
    m.ret_mw = pyo.Var(m.S, m.G, m.T, within=pyo.NonNegativeReals)
    m.bat_mwh = pyo.Var(m.S, m.BAT, m.T, within=pyo.NonNegativeReals)
    m.add_mwh = pyo.Var(m.S, m.BAT, m.T, within=pyo.NonNegativeReals)
    m.ret_mwh = pyo.Var(m.S, m.BAT, m.T, within=pyo.NonNegativeReals)
    m.bat_firm_mw = pyo.Var(m.S, m.T, within=pyo.NonNegativeReals)
    m.gen_out = pyo.Var(m.S, m.GAS, m.TP, within=pyo.NonNegativeReals)
    m.grid_out = pyo.Var(m.S, m.TP, within=pyo.NonNegativeReals)
    if d.chronological:
        m.bat_ch = pyo.Var(m.S, m.BAT, m.TP, within=pyo.NonNegativeReals)
        m.bat_dis = pyo.Var(m.S, m.BAT, m.TP, within=pyo.NonNegativeReals)
        m.soc = pyo.Var(m.S, m.BAT, m.TP, within=pyo.NonNegativeReals)
    m.take_short_mwh = pyo.Var(m.S, m.T, within=pyo.NonNegativeReals)
    m.gas_lateral = pyo.Var(m.S, within=pyo.Binary)
    m.ppa_mw = pyo.Var(
        m.K,
        m.T,
        within=pyo.NonNegativeReals,
        bounds=lambda m, k, z, t: (0, _finite(m._contract[(k, z)]["max_mw"])),
    )
    if m._hourly_clean:
        m.clean_mwh = pyo.Var(m.ZL, m.TP, within=pyo.NonNegativeReals)
    else:
        m.clean_mwh = pyo.Var(m.ZL, m.T, within=pyo.NonNegativeReals)
    m.shortfall_mw = pyo.Var(m.T, within=pyo.NonNegativeReals)
    _fix_what_cannot_exist(m)


def _fix_what_cannot_exist(m: pyo.ConcreteModel) -> None:
    """Zero every capacity before its ready date (and rentals after their permit window)."""
    for s in m.S:
        first = int(m._site[s]["first_step"])
        if not m._site[s]["gas_allowed"] or not len(m.FUEL):
            m.gas_lateral[s].fix(0)
        for t in m.T:
            if t < first:
                m.phases[s, t].fix(0)
            for g in m.G:
                if t < int(m._gen[g]["first_step"]) or t >= int(m._gen[g]["end_step"]):
                    m.gen_mw[s, g, t].fix(0)
                    m.add_mw[s, g, t].fix(0)
                    if g in m.BAT:
                        m.bat_mwh[s, g, t].fix(0)
                        m.add_mwh[s, g, t].fix(0)
    for k, z in m.K:
        for t in m.T:
            if t < int(m._contract[(k, z)]["first_step"]):
                m.ppa_mw[k, z, t].fix(0)
    _fix_dispatch_that_cannot_run(m)


def _fix_dispatch_that_cannot_run(m: pyo.ConcreteModel) -> None:
    """Zero the dispatch the constraints force to zero anyway, so that neither the variables nor their rows
    reach the solver: no output of plant that cannot exist in the step, no grid import without an energized
    connection, no shortfall against a minimum take that does not apply, and (without storage dispatch) no
    dispatch at all before a site's first step, where its load is zero."""
    for s in m.S:
        first = int(m._site[s]["first_step"])
        for t in m.T:
            idle = t < first and not m._d.chronological
            if not m._energized[(s, t)] or idle:
                for p in m._periods_of_step[t]:
                    m.grid_out[s, t, p].fix(0)
            if not m._min_take[(s, t)]:
                m.take_short_mwh[s, t].fix(0)
            for g in m.G:
                if not (idle or m.gen_mw[s, g, t].fixed):
                    continue
                for p in m._periods_of_step[t]:
                    if g in m.GAS:
                        m.gen_out[s, g, t, p].fix(0)
                    elif m._d.chronological and m.gen_mw[s, g, t].fixed:
                        m.bat_ch[s, g, t, p].fix(0)
                        m.bat_dis[s, g, t, p].fix(0)
                        m.soc[s, g, t, p].fix(0)


def _finite(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


# ------------------------------------------------------------------------------------------------ expressions
def add_expressions(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """IT MW, grid capacity energized, facility load, cumulative purchases and emissions (shared)."""
    m.it_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: d.phase_mw * m.phases[s, t])
    m.grid_cap_mw = pyo.Expression(
        m.S, m.T, rule=lambda m, s, t: sum(m.firm_mw[c] + m.standby_mw[c] for c in m._energized[(s, t)])
    )
    m.facility_avg_mw = pyo.Expression(m.S, m.TP, rule=lambda m, s, t, p: _facility_avg_mw(m, d, s, t, p))
    m.grid_mwh = pyo.Expression(
        m.S, m.T, rule=lambda m, s, t: sum(m._h[(t, p)] * m.grid_out[s, t, p] for p in m._periods_of_step[t])
    )
    T = list(m.T)
    m.bought_mw = pyo.Expression(
        m.S, m.G, m.T, rule=lambda m, s, g, t: sum(m.add_mw[s, g, u] for u in T[: T.index(t) + 1])
    )
    m.bought_mwh = pyo.Expression(
        m.S, m.BAT, m.T, rule=lambda m, s, g, t: sum(m.add_mwh[s, g, u] for u in T[: T.index(t) + 1])
    )

    def emissions(m, t):
        ps = m._periods_of_step[t]
        grid = sum(
            m._h[(t, p)] * m.grid_out[s, t, p] * m._co2[(m._site[s]["zone_id"], p)] for s in m.S for p in ps
        )
        gen = sum(
            m._h[(t, p)] * m.gen_out[s, g, t, p] * float(m._gen[g]["co2_t_per_mwh"])
            for s in m.S
            for g in m.GAS
            for p in ps
        )
        if m._hourly_clean:  # a claim displaces the grid's emissions of its hour
            claimed = sum(m.clean_mwh[y, z, t, p] * m._co2[(z, p)] for (y, z) in m.ZL for p in ps)
        else:  # … or the load zone's annual rate
            claimed = sum(m.clean_mwh[y, z, t] * m._co2_annual[z] for (y, z) in m.ZL)
        return grid + gen - claimed

    m.emissions_t = pyo.Expression(m.T, rule=emissions)


# ------------------------------------------------------------------------------------------------ constraints
def phases_only_at_open_sites(m, d):
    """A site's phases exist only if the site is opened, and never exceed its land and max MW."""
    m.phases_only_at_open_sites = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: m.phases[s, t] <= int(m._site[s]["max_phases"]) * m.open[s]
    )


def it_capacity_never_retires(m, d):
    """IT phases and contracts are cumulative: what is online stays online."""
    prev = m._prev
    m.phases_cumulative = pyo.Constraint(
        m.S, list(prev), rule=lambda m, s, t: m.phases[s, t] >= m.phases[s, prev[t]]
    )
    m.ppa_cumulative = pyo.Constraint(
        m.K, list(prev), rule=lambda m, k, z, t: m.ppa_mw[k, z, t] >= m.ppa_mw[k, z, prev[t]]
    )


def onsite_stock_balance(m, d):
    """On-site MW (and battery MWh) = last step's + added − retired (sold, returned or scrapped)."""

    def stock(var, add, ret):
        def rule(m, s, g, t):
            before = var[s, g, m._prev[t]] if t in m._prev else 0.0
            return var[s, g, t] == before + add[s, g, t] - ret[s, g, t]

        return rule

    m.onsite_stock_balance = pyo.Constraint(m.S, m.G, m.T, rule=stock(m.gen_mw, m.add_mw, m.ret_mw))
    m.battery_energy_balance = pyo.Constraint(m.S, m.BAT, m.T, rule=stock(m.bat_mwh, m.add_mwh, m.ret_mwh))


def battery_duration_limits(m, d):
    """Battery energy between the duration bounds of its power (fixed duration without an energy price)."""
    lo, hi = BATTERY_DURATION_BOUNDS_H

    def rule_lo(m, s, g, t):
        if m.gen_mw[s, g, t].fixed:
            return pyo.Constraint.Skip  # power and energy both fixed to zero
        if np.isnan(m._gen[g]["energy_capex_usd_per_mwh"]):
            return m.bat_mwh[s, g, t] == float(m._gen[g]["duration_hours"]) * m.gen_mw[s, g, t]
        return m.bat_mwh[s, g, t] >= lo * m.gen_mw[s, g, t]

    def rule_hi(m, s, g, t):
        if m.gen_mw[s, g, t].fixed or np.isnan(m._gen[g]["energy_capex_usd_per_mwh"]):
            return pyo.Constraint.Skip
        return m.bat_mwh[s, g, t] <= hi * m.gen_mw[s, g, t]

    m.battery_duration_min = pyo.Constraint(m.S, m.BAT, m.T, rule=rule_lo)
    m.battery_duration_max = pyo.Constraint(m.S, m.BAT, m.T, rule=rule_hi)


def site_minimum_size(m, d):
    """An opened site holds at least one phase, and ``site_min_it_mw`` by the last step."""
    last = m.T.last()
    m.site_minimum_size = pyo.Constraint(
        m.S, rule=lambda m, s: m.phases[s, last] >= max(1, int(m._site[s]["min_phases"])) * m.open[s]
    )


def site_count_limits(m, d):
    """At least ``min_sites`` (and at most ``max_sites``) sites are opened."""
    m.min_sites = pyo.Constraint(expr=sum(m.open[s] for s in m.S) >= d.min_sites)
    if d.max_sites is not None:
        m.max_sites = pyo.Constraint(expr=sum(m.open[s] for s in m.S) <= d.max_sites)


def connections_per_site(m, d):
    """An opened site connects to at most ``max_connections_per_site`` substations; a closed one to none."""
    m.connections_per_site = pyo.Constraint(
        m.S,
        rule=lambda m, s: (
            sum(m.connect[c] for c in m._conns_of_site[s]) <= d.max_connections_per_site * m.open[s]
            if m._conns_of_site[s]
            else pyo.Constraint.Skip
        ),
    )


def connection_capacity_limit(m, d):
    """Contracted MW (firm + standby) ≤ circuits × circuit rating; circuits only on a chosen connection."""
    m.circuits_on_chosen_connection = pyo.Constraint(
        m.C, rule=lambda m, s, b: m.circuits[s, b] <= int(m._conn[(s, b)]["max_circuits"]) * m.connect[s, b]
    )
    m.connection_capacity_limit = pyo.Constraint(
        m.C,
        rule=lambda m, s, b: (
            m.firm_mw[s, b] + m.standby_mw[s, b]
            <= float(m._conn[(s, b)]["line_capacity_mw"]) * m.circuits[s, b]
        ),
    )


def substation_headroom(m, d):
    """All connections to one substation together stay within its headroom."""
    m.substation_headroom = pyo.Constraint(
        m.B,
        rule=lambda m, b: (
            sum(m.firm_mw[c] + m.standby_mw[c] for c in m._conns_of_sub[b]) <= float(m._sub[b]["headroom_mw"])
            if m._conns_of_sub[b]
            else pyo.Constraint.Skip
        ),
    )


def grid_import_within_connection(m, d):
    """Grid import in every period ≤ the capacity of connections energized by the step's start (import is
    fixed to zero where none is)."""
    m.grid_import_within_connection = pyo.Constraint(
        m.S,
        m.TP,
        rule=lambda m, s, t, p: (
            pyo.Constraint.Skip if m.grid_out[s, t, p].fixed else m.grid_out[s, t, p] <= m.grid_cap_mw[s, t]
        ),
    )


def standby_is_backup(m, d):
    """Standby service is backup for on-site plant, not a cheap substitute for full service: the standby MW
    of a site's energized connections ≤ its on-site plant MW, and the energy drawn under standby ≤
    ``standby_max_load_factor`` × standby MW × hours (the rest needs firm service: grid MWh ≤ hours ×
    Σ (firm + lf × standby))."""

    def rule(m, s, t):
        conns = m._energized[(s, t)]
        if not conns:
            return pyo.Constraint.Skip
        lf = float(m._zone[m._site[s]["zone_id"]]["standby_max_load_factor"])
        hours = sum(m._h[(t, p)] for p in m._periods_of_step[t])
        return m.grid_mwh[s, t] <= hours * sum(m.firm_mw[c] + lf * m.standby_mw[c] for c in conns)

    m.standby_is_backup = pyo.Constraint(m.S, m.T, rule=rule)

    def eligible(m, s, t):
        conns = m._energized[(s, t)]
        if not conns:
            return pyo.Constraint.Skip
        return sum(m.standby_mw[c] for c in conns) <= sum(m.gen_mw[s, g, t] for g in m.GAS)

    # standby (backup) service is offered to customers with their own generation: at most its nameplate
    m.standby_backs_up_onsite_plant = pyo.Constraint(m.S, m.T, rule=eligible)


def onsite_output_within_capacity(m, d):
    """On-site output ≤ available capacity (capacity × availability); output is fixed to zero where the
    plant cannot exist."""
    m.onsite_output_within_capacity = pyo.Constraint(
        m.S,
        m.GAS,
        m.TP,
        rule=lambda m, s, g, t, p: (
            pyo.Constraint.Skip
            if m.gen_out[s, g, t, p].fixed
            else m.gen_out[s, g, t, p] <= float(m._gen[g]["availability"]) * m.gen_mw[s, g, t]
        ),
    )


def onsite_plant_only_at_open_sites(m, d):
    """On-site plant only at opened sites; fuel-burning plant only where a gas lateral is built."""
    m.onsite_plant_only_at_open_sites = pyo.Constraint(
        m.S,
        m.G,
        m.T,
        rule=lambda m, s, g, t: (
            m.gen_mw[s, g, t] <= float(m._gen[g]["max_mw_per_site"]) * m.open[s]
            if np.isfinite(m._gen[g]["max_mw_per_site"]) and not m.gen_mw[s, g, t].fixed
            else pyo.Constraint.Skip
        ),
    )
    m.fuel_needs_gas_lateral = pyo.Constraint(
        m.S,
        m.FUEL,
        m.T,
        rule=lambda m, s, g, t: (
            pyo.Constraint.Skip
            if m.gen_mw[s, g, t].fixed
            else m.gen_mw[s, g, t] <= float(m._gen[g]["max_mw_per_site"]) * m.gas_lateral[s]
        ),
    )
    m.gas_lateral_only_at_open_sites = pyo.Constraint(m.S, rule=lambda m, s: m.gas_lateral[s] <= m.open[s])


def onsite_caps(m, d):
    """Fleet cap per option (``onsite_limits.max_mw_total``) and the per-site air permit (MW, NOx, CO2)."""
    capped = [g for g in m.G if np.isfinite(m._gen[g]["max_mw_total"])]
    m.onsite_fleet_cap = pyo.Constraint(
        capped,
        m.T,
        rule=lambda m, g, t: sum(m.gen_mw[s, g, t] for s in m.S) <= float(m._gen[g]["max_mw_total"]),
    )
    if d.air_gas_mw_per_site is not None:
        m.air_permit_mw = pyo.Constraint(
            m.S, m.T, rule=lambda m, s, t: sum(m.gen_mw[s, g, t] for g in m.FUEL) <= d.air_gas_mw_per_site
        )
    for name, cap, col in (
        ("air_permit_nox", d.air_nox_t_per_year_per_site, "nox_t_per_mwh"),
        ("air_permit_co2", d.air_co2_t_per_year_per_site, "co2_t_per_mwh"),
    ):
        if cap is None:
            continue

        def rule(m, s, t, cap=cap, col=col):
            return (
                sum(
                    m._h[(t, p)] * float(m._gen[g][col]) * m.gen_out[s, g, t, p]
                    for g in m.FUEL
                    for p in m._periods_of_step[t]
                )
                <= cap * m._yrs[t]
            )

        setattr(m, name, pyo.Constraint(m.S, m.T, rule=rule))


def supply_chain_caps(m, d):
    """New MW of an option delivered nationally in a calendar year ≤ the supply-chain cap."""
    caps = d.supply_caps["max_new_mw"].to_dict()
    steps_of_year = d.steps.groupby("year").groups
    keys = [(g, y) for (g, y) in caps if g in m.G and y in steps_of_year]
    m.supply_chain_cap = pyo.Constraint(
        keys,
        rule=lambda m, g, y: (
            sum(m.add_mw[s, g, t] for s in m.S for t in steps_of_year[y]) <= float(caps[(g, y)])
        ),
    )


def battery_operation(m, d):
    """Representative days: charge, discharge and state of charge, cyclic within each day (1-h periods)."""
    if not d.chronological:
        return
    eff = {g: float(np.sqrt(m._gen[g]["round_trip_efficiency"])) for g in m.BAT}

    def live(rule):  # no rows where the battery cannot exist (its dispatch is fixed to zero there)
        return lambda m, s, g, t, p: pyo.Constraint.Skip if m.gen_mw[s, g, t].fixed else rule(m, s, g, t, p)

    m.battery_soc = pyo.Constraint(
        m.S,
        m.BAT,
        m.TP,
        rule=live(
            lambda m, s, g, t, p: (
                m.soc[s, g, t, p]
                == m.soc[s, g, t, m._prev_p[p]]
                + eff[g] * m.bat_ch[s, g, t, p]
                - m.bat_dis[s, g, t, p] / eff[g]
            )
        ),
    )
    m.battery_soc_within_energy = pyo.Constraint(
        m.S, m.BAT, m.TP, rule=live(lambda m, s, g, t, p: m.soc[s, g, t, p] <= m.bat_mwh[s, g, t])
    )
    m.battery_charge_within_power = pyo.Constraint(
        m.S, m.BAT, m.TP, rule=live(lambda m, s, g, t, p: m.bat_ch[s, g, t, p] <= m.gen_mw[s, g, t])
    )
    m.battery_discharge_within_power = pyo.Constraint(
        m.S, m.BAT, m.TP, rule=live(lambda m, s, g, t, p: m.bat_dis[s, g, t, p] <= m.gen_mw[s, g, t])
    )


def energy_balance(m, d):
    """Average facility load (IT × utilization × PUE of the period) = grid + on-site + battery net output."""

    def rule(m, s, t, p):
        if t < int(m._site[s]["first_step"]) and not d.chronological:
            return pyo.Constraint.Skip  # no load, and its dispatch is fixed to zero
        supply = m.grid_out[s, t, p] + sum(m.gen_out[s, g, t, p] for g in m.GAS)
        if d.chronological:
            supply += sum(m.bat_dis[s, g, t, p] - m.bat_ch[s, g, t, p] for g in m.BAT)
        return supply == m.facility_avg_mw[s, t, p]

    m.energy_balance = pyo.Constraint(m.S, m.TP, rule=rule)


def peak_supply_adequacy(m, d):
    """Firm supply covers the facility peak: IT at full load × design-peak PUE ≤ grid + firm on-site + batteries.

    Gas plant counts at ``availability / (1 + onsite_reserve_margin)`` of nameplate (N+1 spares when
    islanded). Batteries cover at most their power, at most their energy spread over the site's peak window
    (``peak_window_hours``: hours of the design day above its mean load) and at most the design day's
    swing (``pue_swing`` × IT MW): below the day's minimum load the deficit lasts all day, which storage
    cannot carry."""

    def rule(m, s, t):
        onsite = sum(float(m._gen[g]["firm_fraction"]) * m.gen_mw[s, g, t] for g in m.GAS)
        return m.grid_cap_mw[s, t] + onsite + m.bat_firm_mw[s, t] >= _site_cooling_sum(m, s, t, "pue_peak")

    m.peak_supply_adequacy = pyo.Constraint(m.S, m.T, rule=rule)
    m.battery_firm_within_power = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: m.bat_firm_mw[s, t] <= sum(m.gen_mw[s, g, t] for g in m.BAT)
    )
    m.battery_firm_within_energy = pyo.Constraint(
        m.S,
        m.T,
        rule=lambda m, s, t: (
            float(m._site[s]["peak_window_hours"]) * m.bat_firm_mw[s, t]
            <= sum(m.bat_mwh[s, g, t] for g in m.BAT)
        ),
    )
    m.battery_firm_within_swing = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: m.bat_firm_mw[s, t] <= _site_cooling_sum(m, s, t, "pue_swing")
    )


def it_target_or_shortfall(m, d):
    """IT MW online + shortfall ≥ the target in force in every step."""
    m.it_target_or_shortfall = pyo.Constraint(
        m.T,
        rule=lambda m, t: (
            sum(m.it_mw[s, t] for s in m.S) + m.shortfall_mw[t] >= float(m._step[t]["target_it_mw"])
        ),
    )


def tariff_minimum_take(m, d):
    """Take-or-pay: MWh not bought below ``min_take_fraction`` × firm MW × step hours are paid anyway.

    Applies to firm service of connections energized less than ``min_take_years`` ago."""

    def rule(m, s, t):
        conns = m._min_take[(s, t)]
        if not conns:
            return pyo.Constraint.Skip
        frac = float(m._zone[m._site[s]["zone_id"]]["min_take_fraction"])
        due = frac * HOURS_PER_YEAR * m._yrs[t] * sum(m.firm_mw[c] for c in conns)
        return m.take_short_mwh[s, t] >= due - m.grid_mwh[s, t]

    m.tariff_minimum_take = pyo.Constraint(m.S, m.T, rule=rule)


def _produced_mwh(m, z, t, p):
    """MWh the contracts of zone z produce in period p of step t."""
    return m._h[(t, p)] * sum(
        float(m._cf[(k, z, p)]) * m.ppa_mw[k, z, t] for (k, _) in m._contracts_of_zone[z]
    )


def _bought_mwh(m, z, t, p):
    """Grid MWh the sites of zone z buy in period p of step t."""
    return m._h[(t, p)] * sum(m.grid_out[s, t, p] for s in m._sites_of_zone[z])


def clean_energy_claims(m, d):
    """Contracted clean MWh claimed ≤ what the contracts produce and ≤ the grid MWh bought where they are
    claimed, along deliverable links (a zone's own contracts, plus listed neighbours').

    Annual matching compares volumes over each step; hourly (24/7) matching compares them in every period
    (representative hour) of the step, so a MWh of noon solar cannot be claimed against a night-time MWh."""
    if m._hourly_clean:
        m.clean_within_contracts = pyo.Constraint(
            m.Z,
            m.TP,
            rule=lambda m, y, t, p: (
                sum(m.clean_mwh[y, z, t, p] for (_, z) in m._links_from[y]) <= _produced_mwh(m, y, t, p)
            ),
        )
        m.clean_within_purchases = pyo.Constraint(
            m.Z,
            m.TP,
            rule=lambda m, z, t, p: (
                sum(m.clean_mwh[y, z, t, p] for (y, _) in m._links_to[z]) <= _bought_mwh(m, z, t, p)
            ),
        )
        return
    m.clean_within_contracts = pyo.Constraint(
        m.Z,
        m.T,
        rule=lambda m, y, t: (
            sum(m.clean_mwh[y, z, t] for (_, z) in m._links_from[y])
            <= sum(_produced_mwh(m, y, t, p) for p in m._periods_of_step[t])
        ),
    )
    m.clean_within_purchases = pyo.Constraint(
        m.Z,
        m.T,
        rule=lambda m, z, t: (
            sum(m.clean_mwh[y, z, t] for (y, _) in m._links_to[z])
            <= sum(m.grid_mwh[s, t] for s in m._sites_of_zone[z])
        ),
    )


def claimed_clean_mwh(m, t, zones=None):
    """Contracted clean MWh claimed in step t into ``zones`` (load zones; all by default), either matching."""
    links = [(y, z) for (y, z) in m.ZL if zones is None or z in zones]
    if m._hourly_clean:
        return sum(m.clean_mwh[y, z, t, p] for (y, z) in links for p in m._periods_of_step[t])
    return sum(m.clean_mwh[y, z, t] for (y, z) in links)


def consumed_mwh(m, t, sites=None):
    """MWh ``sites`` (all by default) consume in step t: grid purchases plus on-site plant output (battery
    losses included)."""
    sites = list(m.S) if sites is None else sites
    return sum(m.grid_mwh[s, t] for s in sites) + sum(
        m._h[(t, p)] * m.gen_out[s, g, t, p] for s in sites for g in m.GAS for p in m._periods_of_step[t]
    )


def clean_energy_target(m, d):
    """Claimed clean MWh ≥ ``clean_target_fraction`` × consumed MWh in every step from the start year
    (hourly-matched under 24/7 matching, per step volumes under annual matching), for all sites together
    (``clean_target_scope`` portfolio) or in every zone for its own sites (``zone``: claims into the zone,
    from its own or deliverable contracts)."""
    if d.clean_target_fraction is None:
        return
    start = d.clean_target_start_year
    due = [t for t in m.T if start is None or int(m._step[t]["year"]) >= start]
    f = d.clean_target_fraction
    if d.clean_target_scope == "zone":  # every zone's sites on their own (claims into the zone)
        m.clean_energy_target = pyo.Constraint(
            [(z, t) for z in m.Z for t in due],
            rule=lambda m, z, t: claimed_clean_mwh(m, t, [z]) >= f * consumed_mwh(m, t, m._sites_of_zone[z]),
        )
        return
    m.clean_energy_target = pyo.Constraint(
        due, rule=lambda m, t: claimed_clean_mwh(m, t) >= f * consumed_mwh(m, t)
    )


def carbon_cap(m, d):
    """Net emissions (:data:`EMISSIONS_DEFINITION`) ≤ the annual cap, pro rata in every step."""
    if d.carbon_cap_tco2_per_year is not None:
        m.carbon_cap = pyo.Constraint(
            m.T, rule=lambda m, t: m.emissions_t[t] <= d.carbon_cap_tco2_per_year * m._yrs[t]
        )


def latency_bound_demand_served(m, d):
    """Each demand region's latency-bound IT MW may be served only by sites within the round-trip bound
    (``serve_mw[s,r,t]``, only for the pairs of ``serve_links``), up to the region's demand; a site serves
    at most its IT MW online; and what no site in reach serves counts in the shortfall. With target T,
    IT online I and latency-bound MW U left unserved, the compute lost is max(T − I, U): the I MW can carry
    the work that is not latency-bound and only the latency-bound work within reach, so a missing MW is
    counted once. Nothing without a latency section."""
    if d.latency_max_rtt_ms is None or d.regions.empty:
        return
    m.L = pyo.Set(dimen=2, initialize=sorted(d.serve_links.index), ordered=True)
    m.R = pyo.Set(initialize=sorted(d.regions.index), ordered=True)
    m.serve_mw = pyo.Var(m.L, m.T, within=pyo.NonNegativeReals)
    demand = d.region_steps["demand_mw"].to_dict()
    m._serve_cost = d.serve_links["serving_usd_per_mw_year"].astype(float).to_dict()
    links_of_region = {r: [(s, r2) for (s, r2) in m.L if r2 == r] for r in m.R}
    links_of_site = {s: [(s2, r) for (s2, r) in m.L if s2 == s] for s in m.S}
    m.serve_within_region_demand = pyo.Constraint(
        [r for r in m.R if links_of_region[r]],
        m.T,
        rule=lambda m, r, t: sum(m.serve_mw[link, t] for link in links_of_region[r]) <= float(demand[(r, t)]),
    )
    m.serve_within_site_it = pyo.Constraint(
        [s for s in m.S if links_of_site[s]],
        m.T,
        rule=lambda m, s, t: sum(m.serve_mw[link, t] for link in links_of_site[s]) <= m.it_mw[s, t],
    )
    m.unserved_latency_demand_is_shortfall = pyo.Constraint(
        m.T,
        rule=lambda m, t: (
            m.shortfall_mw[t]
            >= sum(float(demand[(r, t)]) for r in m.R) - sum(m.serve_mw[link, t] for link in m.L)
        ),
    )


def budget_cap(m, d):
    """Overnight capex of everything built ≤ ``budget_usd``."""
    if d.budget_usd is not None:
        m.budget_cap = pyo.Constraint(expr=overnight_capex(m, d) <= d.budget_usd)


# ------------------------------------------------------------------------------------------------ cooling, water
def add_cooling_choice(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """With several cooling designs offered (``d.cooling_designs``): the set ``DES``, the binaries
    ``cool[s,c]`` and the IT MW per design ``it_cool_mw[s,c,t]`` (MW, at most the site's size), and the
    per-design lookups (PUE, WUE per period; peak PUE, swing, capex per site). Nothing with one design."""
    if len(d.cooling_designs) < 2:
        return
    m.DES = pyo.Set(initialize=list(d.cooling_designs), ordered=True)
    m._cool = d.site_cooling.to_dict("index")
    m._pue_c = d.site_cooling_periods["pue"].to_dict()
    m._wue_c = d.site_cooling_periods["wue_l_per_kwh"].to_dict()
    m.cool = pyo.Var(m.S, m.DES, within=pyo.Binary)
    size = {s: d.phase_mw * int(m._site[s]["max_phases"]) for s in m.S}
    m.it_cool_mw = pyo.Var(
        m.S, m.DES, m.T, within=pyo.NonNegativeReals, bounds=lambda m, s, c, t: (0, size[s])
    )


def _facility_avg_mw(m, d, s, t, p):
    """Average facility MW of site s in period p of step t: IT utilization × Σ_c PUE[s,c,p] ×
    it_cool_mw[s,c,t] when the cooling design is a decision, else utilization × PUE[s,p] × it_mw[s,t]."""
    if hasattr(m, "cool"):
        return d.it_utilization * sum(float(m._pue_c[(s, c, p)]) * m.it_cool_mw[s, c, t] for c in m.DES)
    return d.it_utilization * float(m._pue[(s, p)]) * m.it_mw[s, t]


def _site_cooling_sum(m, s, t, column: str):
    """``column`` (a per-site PUE figure: ``pue_peak``, ``pue_swing``) × IT MW of site s in step t, per
    design when the cooling design is a decision (MW)."""
    if hasattr(m, "cool"):
        return sum(float(m._cool[(s, c)][column]) * m.it_cool_mw[s, c, t] for c in m.DES)
    return float(m._site[s][column]) * m.it_mw[s, t]


def _cooling_capex_usd(m, s, c, t):
    """Overnight capex increment (USD) of design c at site s for its IT MW in step t."""
    return float(m._cool[(s, c)]["cooling_capex_usd_per_mw"]) * m.it_cool_mw[s, c, t]


def add_water_use(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """``water_m3[s,t]``: m3 of water site s uses in step t = Σ_p hours × IT utilization × WUE (L/kWh = m3/MWh)
    × IT MW (per design when it is a decision). Only when water is capped or priced."""
    limited = (
        d.site_water is not None
        and len(d.site_water)
        and np.isfinite(d.site_water["water_available_m3_per_year"].to_numpy(dtype=float)).any()
    )
    if d.water_cap_m3_per_year_per_site is None and not d.water_price_usd_per_m3 and not limited:
        return
    wue = d.site_periods["wue_l_per_kwh"].to_dict()

    def wue_it(s, t, p):  # WUE × IT MW (m3/h)
        if hasattr(m, "cool"):
            return sum(float(m._wue_c[(s, c, p)]) * m.it_cool_mw[s, c, t] for c in m.DES)
        return float(wue[(s, p)]) * m.it_mw[s, t]

    m.water_m3 = pyo.Expression(
        m.S,
        m.T,
        rule=lambda m, s, t: (
            d.it_utilization * sum(m._h[(t, p)] * wue_it(s, t, p) for p in m._periods_of_step[t])
        ),
    )


def one_cooling_design_per_open_site(m, d):
    """An opened site has exactly one cooling design (from the offered list); a closed one none."""
    if hasattr(m, "cool"):
        m.one_cooling_design_per_open_site = pyo.Constraint(
            m.S, rule=lambda m, s: sum(m.cool[s, c] for c in m.DES) == m.open[s]
        )


def it_cooled_by_chosen_design(m, d):
    """A site's IT MW are all cooled by its chosen design: Σ_c it_cool_mw[s,c,t] = it_mw[s,t] and
    it_cool_mw[s,c,t] ≤ the site's size × cool[s,c]."""
    if not hasattr(m, "cool"):
        return
    m.it_split_by_cooling_design = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: sum(m.it_cool_mw[s, c, t] for c in m.DES) == m.it_mw[s, t]
    )
    m.it_cooled_by_chosen_design = pyo.Constraint(
        m.S,
        m.DES,
        m.T,
        rule=lambda m, s, c, t: (
            m.it_cool_mw[s, c, t] <= d.phase_mw * int(m._site[s]["max_phases"]) * m.cool[s, c]
        ),
    )


def water_within_caps(m, d):
    """Water use ≤ ``water_cap_m3_per_year_per_site`` at every site, and the use of the sites of one water
    basin (availability file: one site, or the sites of one state) ≤ its ``water_available_m3_per_year``;
    annual amounts pro rata in every step (× step years). Nothing without a cap or an availability."""
    if not hasattr(m, "water_m3"):
        return
    cap = d.water_cap_m3_per_year_per_site
    if cap is not None:
        m.water_cap_per_site = pyo.Constraint(
            m.S, m.T, rule=lambda m, s, t: m.water_m3[s, t] <= cap * m._yrs[t]
        )
    w = d.site_water
    limited = w[np.isfinite(w["water_available_m3_per_year"].to_numpy(dtype=float))]
    if limited.empty:
        return
    sites_of = {b: list(g.index) for b, g in limited.groupby("water_basin")}
    avail = limited.groupby("water_basin")["water_available_m3_per_year"].first().to_dict()
    m.WB = pyo.Set(initialize=sorted(sites_of), ordered=True)
    m.water_within_availability = pyo.Constraint(
        m.WB,
        m.T,
        rule=lambda m, b, t: sum(m.water_m3[s, t] for s in sites_of[b]) <= float(avail[b]) * m._yrs[t],
    )


CONSTRAINT_FAMILIES = (
    phases_only_at_open_sites,
    it_capacity_never_retires,
    onsite_stock_balance,
    battery_duration_limits,
    site_minimum_size,
    site_count_limits,
    connections_per_site,
    connection_capacity_limit,
    substation_headroom,
    grid_import_within_connection,
    standby_is_backup,
    onsite_output_within_capacity,
    onsite_plant_only_at_open_sites,
    onsite_caps,
    supply_chain_caps,
    battery_operation,
    energy_balance,
    peak_supply_adequacy,
    it_target_or_shortfall,
    tariff_minimum_take,
    clean_energy_claims,
    clean_energy_target,
    latency_bound_demand_served,
    carbon_cap,
    budget_cap,
    one_cooling_design_per_open_site,
    it_cooled_by_chosen_design,
    water_within_caps,
)


# ------------------------------------------------------------------------------------------------ costs
def overnight_capex(m, d) -> pyo.Expression:
    """Overnight capital cost (USD) of everything built: land, construction, connections, plant, laterals."""
    last = m.T.last()
    return (
        sum(
            (float(m._site[s]["land_usd_per_mw"]) + float(m._site[s]["construction_usd_per_mw"]))
            * m.it_mw[s, last]
            + float(m._site[s]["gas_lateral_usd"]) * m.gas_lateral[s]
            for s in m.S
        )
        + sum(_connection_capex(m, c) for c in m.C)
        + sum(float(m._gen[g]["capex_usd_per_mw"]) * m.bought_mw[s, g, last] for s in m.S for g in m.G)
        + sum(_energy_capex(m, g) * m.bought_mwh[s, g, last] for s in m.S for g in m.BAT)
        + (sum(_cooling_capex_usd(m, s, c, last) for s in m.S for c in m.DES) if hasattr(m, "cool") else 0.0)
    )


def _connection_capex(m, c):
    k = m._conn[c]
    return (
        float(k["circuit_cost_usd"]) * m.circuits[c]
        + float(k["substation_cost_usd"]) * m.connect[c]
        + float(k["cost_usd_per_mw"]) * (m.firm_mw[c] + m.standby_mw[c])
    )


def _energy_capex(m, g) -> float:
    v = m._gen[g]["energy_capex_usd_per_mwh"]
    return 0.0 if np.isnan(v) else float(v)


def step_costs(m: pyo.ConcreteModel, d: ModelInputs, t: int) -> dict[str, object]:
    """Undiscounted cost (USD) of each category in step ``t``: annual charges × the step's years, energy
    over its hours, one-off salvage credits when plant is sold."""
    g_, site, zone = m._gen, m._site, m._zone
    yrs, ps, h = m._yrs[t], m._periods_of_step[t], m._h
    zone_of = {s: site[s]["zone_id"] for s in m.S}
    e = {}
    e["land"] = yrs * d.crf_land * sum(site[s]["land_usd_per_mw"] * m.it_mw[s, t] for s in m.S)
    e["construction"] = (
        yrs * d.crf_datacenter * sum(site[s]["construction_usd_per_mw"] * m.it_mw[s, t] for s in m.S)
    )
    energized = [c for s in m.S for c in m._energized[(s, t)]]
    e["interconnection"] = yrs * d.crf_interconnection * sum(_connection_capex(m, c) for c in energized)
    e["grid_capacity"] = (
        yrs
        * 12_000.0
        * sum(
            zone[zone_of[c[0]]]["demand_charge_usd_per_kw_month"] * m.firm_mw[c]
            + zone[zone_of[c[0]]]["standby_charge_usd_per_kw_month"] * m.standby_mw[c]
            for c in energized
        )
    )
    sale = m._sale_credit
    e["onsite_generation"] = yrs * d.crf_interconnection * sum(
        site[s]["gas_lateral_usd"] * m.gas_lateral[s] for s in m.S if t >= site[s]["first_step"]
    ) + sum(
        g_[k]["capex_usd_per_mw"]
        * (yrs * g_[k]["crf"] * m.bought_mw[s, k, t] - sale[(k, t)] * m.ret_mw[s, k, t])
        for s in m.S
        for k in m.GAS
    )
    e["storage"] = sum(
        g_[k]["capex_usd_per_mw"]
        * (yrs * g_[k]["crf"] * m.bought_mw[s, k, t] - sale[(k, t)] * m.ret_mw[s, k, t])
        + _energy_capex(m, k)
        * (yrs * g_[k]["crf"] * m.bought_mwh[s, k, t] - sale[(k, t)] * m.ret_mwh[s, k, t])
        for s in m.S
        for k in m.BAT
    )
    e["energy"] = sum(m._price[(zone_of[s], t)] * (m.grid_mwh[s, t] + m.take_short_mwh[s, t]) for s in m.S)
    e["fuel"] = sum(
        h[(t, p)] * g_[k]["fuel_usd_per_mwh"] * m.gen_out[s, k, t, p] for s in m.S for k in m.GAS for p in ps
    )
    e["contracts"] = sum(
        h[(t, p)]
        * m._cf[(k, z, p)]
        * (m._contract[(k, z)]["strike_usd_per_mwh"] - zone[z]["wholesale_usd_per_mwh"])
        * m.ppa_mw[k, z, t]
        for (k, z) in m.K
        for p in ps
    )
    e["operations"] = (
        yrs * sum(site[s]["dc_fixed_om_usd_per_mw_year"] * m.it_mw[s, t] for s in m.S)
        + yrs * sum(g_[k]["fixed_om_usd_per_mw_year"] * m.gen_mw[s, k, t] for s in m.S for k in m.G)
        + sum(
            h[(t, p)]
            * (g_[k]["marginal_cost_usd_per_mwh"] - g_[k]["fuel_usd_per_mwh"])
            * m.gen_out[s, k, t, p]
            for s in m.S
            for k in m.GAS
            for p in ps
        )
    )
    e["carbon"] = d.carbon_price_usd_per_tco2 * m.emissions_t[t] if d.carbon_price_usd_per_tco2 else 0.0
    e["shortfall_penalty"] = yrs * d.value_of_lost_compute_usd_per_mw_year * m.shortfall_mw[t]
    _add_opening_and_serving_costs(m, d, t, e)
    return e


def _add_opening_and_serving_costs(m: pyo.ConcreteModel, d: ModelInputs, t: int, e: dict) -> None:
    """Add to ``e`` (step ``t``, undiscounted USD) the optional site opening charge (``construction``) and the
    serving cost of latency-bound demand (``serving``).
    Adds nothing when no site has an opening cost and the scenario has no latency section."""
    yrs, site = m._yrs[t], m._site
    opening = [s for s in m.S if site[s].get("opening_usd_per_year", 0.0) and t >= site[s]["first_step"]]
    if opening:
        e["construction"] += yrs * sum(site[s]["opening_usd_per_year"] * m.open[s] for s in opening)
    if hasattr(m, "serve_mw"):
        e["serving"] = yrs * sum(m._serve_cost[(s, r)] * m.serve_mw[s, r, t] for (s, r) in m.L)
    if hasattr(m, "cool"):  # the capex increment of each chosen design, annualised like construction
        e["construction"] += (
            yrs * d.crf_datacenter * sum(_cooling_capex_usd(m, s, c, t) for s in m.S for c in m.DES)
        )
    if hasattr(m, "water_m3") and d.water_price_usd_per_m3:
        e["water"] = d.water_price_usd_per_m3 * sum(m.water_m3[s, t] for s in m.S)


def add_objective(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """Minimise the present value of all costs (USD)."""
    costs = {(c, t): m._df[t] * v for t in m.T for c, v in step_costs(m, d, t).items()}
    extra = ["serving"] if hasattr(m, "serve_mw") else []  # only with latency-bound demand
    extra += ["water"] if hasattr(m, "water_m3") and d.water_price_usd_per_m3 else []  # only with a price
    m.CAT = pyo.Set(initialize=list(COST_CATEGORIES) + extra, ordered=True)
    m.cost_usd = pyo.Expression(m.CAT, m.T, rule=lambda m, c, t: costs[(c, t)])
    m.overnight_capex_usd = pyo.Expression(expr=overnight_capex(m, d))
    m.objective = pyo.Objective(expr=sum(m.cost_usd[c, t] for c in m.CAT for t in m.T), sense=pyo.minimize)


def build_model(d: ModelInputs) -> pyo.ConcreteModel:
    """Assemble the Pyomo model from prepared inputs.

    Python's cyclic garbage collector is paused while the model is built (Pyomo's ``PauseGC``, as Pyomo's
    own writers do): the build creates millions of expression objects and no garbage cycles, and each
    full collection would scan all of them again. On the default scenario this halves the build (10.5 →
    5.4 s on the 2-core machine, 2026-12-02).
    """
    with PauseGC():
        m = pyo.ConcreteModel(name=f"siting:{d.name}")
        add_sets_and_parameters(m, d)
        add_variables(m, d)
        add_cooling_choice(m, d)
        add_expressions(m, d)
        add_water_use(m, d)
        for family in CONSTRAINT_FAMILIES:
            family(m, d)
        add_objective(m, d)
    return m


# ------------------------------------------------------------------------------------------------ trade-offs
#: Objectives of the trade-off analysis (``siting.pareto``) and their units:
#: ``cost`` — present value of every cost category except ``shortfall_penalty`` (USD of the currency year);
#: ``time_to_power`` — Σ over steps of shortfall_mw × step years (MW·yr of IT short of the targets; 0 means
#: every target met on its date); ``carbon`` — Σ over steps of ``emissions_t`` (tCO2 over the horizon,
#: :data:`EMISSIONS_DEFINITION`).
TRADEOFF_OBJECTIVES = {"cost": "USD", "time_to_power": "MW·yr", "carbon": "tCO2"}
#: Tie-break weights (``TIE_BREAK_WEIGHTS[primary][other]``, primary's unit per other's unit) added to a
#: trade-off objective: small enough not to change any choice of sites, phases or plant (1 USD per MW·yr of
#: shortfall against ~1e6 USD per MW·yr of data-center annuity) but positive, so that the shortfall
#: variables equal the true shortfall and clean MWh are claimed wherever they may be (both are otherwise
#: free within their limits once the shortfall penalty and the carbon price are out of the objective).
#: Cost is never a tie-break (the lexicographic second solve of :func:`siting.pareto` minimises it).
TIE_BREAK_WEIGHTS = {
    "cost": {"time_to_power": 1.0, "carbon": 1.0e-3},
    "time_to_power": {"carbon": 1.0e-6},
    "carbon": {"time_to_power": 1.0e-3},
}


def tradeoff_expressions(m: pyo.ConcreteModel) -> dict[str, pyo.Expression]:
    """The trade-off objectives (:data:`TRADEOFF_OBJECTIVES`) as expressions of a built model (added to
    ``m`` as ``tradeoff_cost_usd``, ``tradeoff_time_to_power_mw_yr`` and ``tradeoff_carbon_t`` once)."""
    if not hasattr(m, "tradeoff_cost_usd"):
        m.tradeoff_cost_usd = pyo.Expression(
            expr=sum(m.cost_usd[c, t] for c in m.CAT for t in m.T if c != "shortfall_penalty")
        )
        m.tradeoff_time_to_power_mw_yr = pyo.Expression(expr=sum(m._yrs[t] * m.shortfall_mw[t] for t in m.T))
        m.tradeoff_carbon_t = pyo.Expression(expr=sum(m.emissions_t[t] for t in m.T))
    return {
        "cost": m.tradeoff_cost_usd,
        "time_to_power": m.tradeoff_time_to_power_mw_yr,
        "carbon": m.tradeoff_carbon_t,
    }


def set_objective(m: pyo.ConcreteModel, primary: str, weights: dict[str, float] | None = None) -> None:
    """Replace the objective by ``primary`` (a :data:`TRADEOFF_OBJECTIVES` name) plus ``weights[o]`` × each
    other objective ``o`` (default :data:`TIE_BREAK_WEIGHTS`; units: primary's unit per ``o``'s unit).

    The default objective (:func:`add_objective`) is deactivated, not removed; calling this again replaces
    the trade-off objective."""
    exprs = tradeoff_expressions(m)
    if primary not in exprs:
        raise ValueError(f"unknown objective {primary!r}; choose from {', '.join(TRADEOFF_OBJECTIVES)}")
    weights = TIE_BREAK_WEIGHTS[primary] if weights is None else weights
    m.objective.deactivate()
    if hasattr(m, "tradeoff_objective"):
        m.del_component(m.tradeoff_objective)
    expr = exprs[primary] + sum(w * exprs[o] for o, w in weights.items() if o != primary and w)
    m.tradeoff_objective = pyo.Objective(expr=expr, sense=pyo.minimize)


def add_epsilon_limits(m: pyo.ConcreteModel, limits: dict[str, float]) -> None:
    """Epsilon constraints: each named objective ≤ its limit (units of :data:`TRADEOFF_OBJECTIVES`), as
    constraints ``epsilon_<name>``; calling again replaces a limit of the same name."""
    exprs = tradeoff_expressions(m)
    for name, limit in limits.items():
        if name not in exprs:
            raise ValueError(f"unknown objective {name!r}; choose from {', '.join(TRADEOFF_OBJECTIVES)}")
        cname = f"epsilon_{name}"
        if hasattr(m, cname):
            m.del_component(cname)
        m.add_component(cname, pyo.Constraint(expr=exprs[name] <= float(limit)))
