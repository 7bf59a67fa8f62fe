"""The siting MILP in Pyomo: sets, variables, one function per constraint family, and the objective.

Built from :class:`~siting.features.inputs.ModelInputs` only (the model never reads files). Units: power in
MW, energy in MWh, money in real USD of the scenario's currency year, emissions in tCO2.

Decision variables
------------------
``open[s]``            binary, site s is developed
``phases[s,t]``        integer, number of ``phase_mw`` IT blocks online at site s in year t (cumulative)
``connect[s,b]``       binary, site s connects to substation b
``conn_mw[s,b]``       MW of grid capacity contracted on that connection
``gen_mw[s,g,t]``      MW of owned on-site plant g (gas or battery) at site s in year t (cumulative)
``gen_out[s,g,t,p]``   average MW output of on-site gas plant g in period p
``grid_out[s,t,p]``    average MW imported from the grid in period p
``ppa_mw[k,z,t]``      MW of contract k in zone z in year t (cumulative)
``clean_mwh[z,t]``     contracted clean MWh claimed against grid purchases in zone z
``shortfall_mw[t]``    IT MW below the target in year t
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..features.inputs import ModelInputs

COST_CATEGORIES = (
    "land",
    "construction",
    "interconnection",
    "onsite_generation",
    "storage",
    "energy",
    "fuel",
    "contracts",
    "operations",
    "carbon",
    "shortfall_penalty",
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
    m.S = pyo.Set(initialize=sorted(d.sites.index), ordered=True)
    m.T = pyo.Set(initialize=sorted(d.years), ordered=True)
    m.P = pyo.Set(initialize=sorted(d.periods.index), ordered=True)
    m.C = pyo.Set(dimen=2, initialize=sorted(d.connections.index), ordered=True)
    m.B = pyo.Set(initialize=sorted(d.substations.index), ordered=True)
    m.G = pyo.Set(initialize=sorted(d.generators.index), ordered=True)
    gas = [g for g in sorted(d.generators.index) if m._gen[g]["kind"] != "battery"]
    m.GAS = pyo.Set(initialize=gas, ordered=True)
    m.BAT = pyo.Set(initialize=[g for g in sorted(d.generators.index) if g not in gas], ordered=True)
    m.K = pyo.Set(dimen=2, initialize=sorted(d.contracts.index), ordered=True)
    m.Z = pyo.Set(initialize=sorted(d.zones.index), ordered=True)
    m._d = d
    m._conns_of_site = {s: [(s2, b) for (s2, b) in m.C if s2 == s] for s in m.S}
    m._conns_of_sub = {b: [(s, b2) for (s, b2) in m.C if b2 == b] for b in m.B}
    m._sites_of_zone = {z: [s for s in m.S if m._site[s]["zone_id"] == z] for z in m.Z}
    m._df = {t: d.discount_factor(t) for t in m.T}
    m._pue = d.site_periods["pue"].to_dict()
    m._conn = d.connections.to_dict("index")
    m._cf = d.contract_cf["cf"].to_dict()
    m._contracts_of_zone = {z: [(k, z2) for (k, z2) in m.K if z2 == z] for z in m.Z}
    m._hours = {p: float(d.periods.at[p, "hours"]) for p in m.P}


# ------------------------------------------------------------------------------------------------ variables
def add_variables(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """Variables with their natural bounds; capacity before its lead time is fixed to zero."""
    s_tab = d.sites
    m.open = pyo.Var(m.S, within=pyo.Binary)
    m.phases = pyo.Var(
        m.S, m.T, within=pyo.NonNegativeIntegers, bounds=lambda m, s, t: (0, int(m._site[s]["max_phases"]))
    )
    m.connect = pyo.Var(m.C, within=pyo.Binary)
    m.conn_mw = pyo.Var(
        m.C, within=pyo.NonNegativeReals, bounds=lambda m, s, b: (0, float(m._conn[(s, b)]["max_mw"]))
    )
    site_facility_max = (s_tab["max_phases"] * d.phase_mw * s_tab["pue_peak"]).to_dict()

    def gen_bounds(m, s, g, t):
        return (0, float(min(m._gen[g]["max_mw_per_site"], site_facility_max[s])))

    m.gen_mw = pyo.Var(m.S, m.G, m.T, within=pyo.NonNegativeReals, bounds=gen_bounds)
    m.gen_out = pyo.Var(m.S, m.GAS, m.T, m.P, within=pyo.NonNegativeReals)
    m.grid_out = pyo.Var(m.S, m.T, m.P, within=pyo.NonNegativeReals)
    m.ppa_mw = pyo.Var(
        m.K,
        m.T,
        within=pyo.NonNegativeReals,
        bounds=lambda m, k, z, t: (0, _finite(m._contract[(k, z)]["max_mw"])),
    )
    m.clean_mwh = pyo.Var(m.Z, m.T, within=pyo.NonNegativeReals)
    m.shortfall_mw = pyo.Var(m.T, within=pyo.NonNegativeReals)

    for s in m.S:
        first = int(m._site[s]["first_online_year"])
        for t in m.T:
            if t < first:
                m.phases[s, t].fix(0)
            for g in m.G:
                if t < int(m._gen[g]["available_year"]) or t >= float(m._gen[g]["retire_year"]):
                    m.gen_mw[s, g, t].fix(0)
    for k, z in m.K:
        for t in m.T:
            if t < int(m._contract[(k, z)]["available_year"]):
                m.ppa_mw[k, z, t].fix(0)


def _finite(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


# ------------------------------------------------------------------------------------------------ expressions
def add_expressions(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """IT MW online, grid capacity available, facility loads and emissions (shared by constraints)."""
    m.it_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: d.phase_mw * m.phases[s, t])

    def grid_cap(m, s, t):
        avail = [c for c in m._conns_of_site[s] if int(m._conn[c]["available_year"]) <= t]
        return sum(m.conn_mw[c] for c in avail) if avail else 0.0

    m.grid_cap_mw = pyo.Expression(m.S, m.T, rule=grid_cap)
    m.facility_avg_mw = pyo.Expression(
        m.S, m.T, m.P, rule=lambda m, s, t, p: d.it_utilization * float(m._pue[(s, p)]) * m.it_mw[s, t]
    )

    def emissions(m, t):
        grid = sum(
            m._hours[p] * m.grid_out[s, t, p] * float(m._zone[m._site[s]["zone_id"]]["grid_co2_t_per_mwh"])
            for s in m.S
            for p in m.P
        )
        gen = sum(
            m._hours[p] * m.gen_out[s, g, t, p] * float(m._gen[g]["co2_t_per_mwh"])
            for s in m.S
            for g in m.GAS
            for p in m.P
        )
        claimed = sum(m.clean_mwh[z, t] * float(m._zone[z]["grid_co2_t_per_mwh"]) for z in m.Z)
        return grid + gen - claimed

    m.emissions_t = pyo.Expression(m.T, rule=emissions)


# ------------------------------------------------------------------------------------------------ constraints
def phases_only_at_open_sites(m, d):
    """A site's phases exist only if the site is opened, and never exceed its land and max MW."""
    m.phases_only_at_open_sites = pyo.Constraint(
        m.S, m.T, rule=lambda m, s, t: m.phases[s, t] <= int(m._site[s]["max_phases"]) * m.open[s]
    )


def capacity_never_retires(m, d):
    """IT phases, on-site plant and contracts are cumulative: what is online stays online."""
    T = list(m.T)
    prev = dict(zip(T[1:], T[:-1], strict=True))
    m.phases_cumulative = pyo.Constraint(
        m.S, T[1:], rule=lambda m, s, t: m.phases[s, t] >= m.phases[s, prev[t]]
    )
    permanent = [g for g in m.G if not np.isfinite(m._gen[g]["max_operating_years"])]
    m.gen_cumulative = pyo.Constraint(
        m.S, permanent, T[1:], rule=lambda m, s, g, t: m.gen_mw[s, g, t] >= m.gen_mw[s, g, prev[t]]
    )
    m.ppa_cumulative = pyo.Constraint(
        m.K, T[1:], rule=lambda m, k, z, t: m.ppa_mw[k, z, t] >= m.ppa_mw[k, z, prev[t]]
    )


def site_minimum_size(m, d):
    """An opened site holds at least one phase, and ``site_min_it_mw`` by the last year."""
    last = m.T.last()
    m.site_minimum_size = pyo.Constraint(
        m.S, rule=lambda m, s: m.phases[s, last] >= max(1, int(m._site[s]["min_phases"])) * m.open[s]
    )


def site_count_limits(m, d):
    """At least ``min_sites`` (and at most ``max_sites``) sites are opened."""
    m.min_sites = pyo.Constraint(expr=sum(m.open[s] for s in m.S) >= d.min_sites)
    if d.max_sites is not None:
        m.max_sites = pyo.Constraint(expr=sum(m.open[s] for s in m.S) <= d.max_sites)


def one_interconnection_per_site(m, d):
    """An opened site connects to at most one substation; a closed site to none."""
    m.one_interconnection_per_site = pyo.Constraint(
        m.S,
        rule=lambda m, s: (
            (sum(m.connect[c] for c in m._conns_of_site[s]) <= m.open[s])
            if m._conns_of_site[s]
            else pyo.Constraint.Skip
        ),
    )


def connection_capacity_limit(m, d):
    """Contracted MW only on a chosen connection, up to the line class and the substation headroom."""
    m.connection_capacity_limit = pyo.Constraint(
        m.C, rule=lambda m, s, b: m.conn_mw[s, b] <= float(m._conn[(s, b)]["max_mw"]) * m.connect[s, b]
    )


def substation_headroom(m, d):
    """All connections to one substation together stay within its headroom."""
    m.substation_headroom = pyo.Constraint(
        m.B,
        rule=lambda m, b: (
            sum(m.conn_mw[c] for c in m._conns_of_sub[b]) <= float(m._sub[b]["headroom_mw"])
            if m._conns_of_sub[b]
            else pyo.Constraint.Skip
        ),
    )


def grid_import_within_connection(m, d):
    """Grid import in every period ≤ the capacity of connections already energized that year."""
    m.grid_import_within_connection = pyo.Constraint(
        m.S, m.T, m.P, rule=lambda m, s, t, p: m.grid_out[s, t, p] <= m.grid_cap_mw[s, t]
    )


def onsite_output_within_capacity(m, d):
    """On-site gas output ≤ available capacity (capacity × availability)."""
    m.onsite_output_within_capacity = pyo.Constraint(
        m.S,
        m.GAS,
        m.T,
        m.P,
        rule=lambda m, s, g, t, p: (
            m.gen_out[s, g, t, p] <= float(m._gen[g]["availability"]) * m.gen_mw[s, g, t]
        ),
    )


def onsite_plant_only_at_open_sites(m, d):
    """On-site plant is built only at opened sites."""
    m.onsite_plant_only_at_open_sites = pyo.Constraint(
        m.S,
        m.G,
        rule=lambda m, s, g: m.gen_mw[s, g, m.T.last()] <= (m.gen_mw[s, g, m.T.last()].ub or 0.0) * m.open[s],
    )


def energy_balance(m, d):
    """Average facility load (IT × utilization × PUE of the period) = grid import + on-site generation."""
    m.energy_balance = pyo.Constraint(
        m.S,
        m.T,
        m.P,
        rule=lambda m, s, t, p: (
            m.grid_out[s, t, p] + sum(m.gen_out[s, g, t, p] for g in m.GAS) == m.facility_avg_mw[s, t, p]
        ),
    )


def peak_supply_adequacy(m, d):
    """Firm supply covers the facility peak: IT at full load × design-peak PUE ≤ grid + on-site + storage.

    On-site gas counts at ``availability / (1 + onsite_reserve_margin)`` of its nameplate (N+1 spares for
    islanded operation); storage counts fully (it covers the peak above the average load, which the energy
    balance already makes grid and gas supply)."""

    def rule(m, s, t):
        onsite = sum(float(m._gen[g]["firm_fraction"]) * m.gen_mw[s, g, t] for g in m.G)
        return m.grid_cap_mw[s, t] + onsite >= float(m._site[s]["pue_peak"]) * m.it_mw[s, t]

    m.peak_supply_adequacy = pyo.Constraint(m.S, m.T, rule=rule)


def it_target_or_shortfall(m, d):
    """IT MW online + shortfall ≥ target in every year."""
    m.it_target_or_shortfall = pyo.Constraint(
        m.T,
        rule=lambda m, t: (
            sum(m.it_mw[s, t] for s in m.S) + m.shortfall_mw[t] >= float(d.targets_it_mw.loc[t])
        ),
    )


def clean_energy_claims(m, d):
    """Contracted clean MWh claimed in a zone ≤ what the contracts produce and ≤ grid purchases there."""

    def produced(m, z, t):
        return sum(
            m._hours[p] * float(m._cf[(k, z, p)]) * m.ppa_mw[k, z, t]
            for (k, _) in m._contracts_of_zone[z]
            for p in m.P
        )

    m.clean_within_contracts = pyo.Constraint(
        m.Z, m.T, rule=lambda m, z, t: m.clean_mwh[z, t] <= produced(m, z, t)
    )
    m.clean_within_purchases = pyo.Constraint(
        m.Z,
        m.T,
        rule=lambda m, z, t: (
            m.clean_mwh[z, t]
            <= sum(m._hours[p] * m.grid_out[s, t, p] for s in m._sites_of_zone[z] for p in m.P)
        ),
    )


def carbon_cap(m, d):
    """Net emissions (grid at the zone's rate − claimed clean MWh + on-site gas) ≤ the annual cap."""
    if d.carbon_cap_tco2_per_year is not None:
        m.carbon_cap = pyo.Constraint(m.T, rule=lambda m, t: m.emissions_t[t] <= d.carbon_cap_tco2_per_year)


def budget_cap(m, d):
    """Overnight capex of everything built ≤ ``budget_usd``."""
    if d.budget_usd is not None:
        m.budget_cap = pyo.Constraint(expr=overnight_capex(m, d) <= d.budget_usd)


CONSTRAINT_FAMILIES = (
    phases_only_at_open_sites,
    capacity_never_retires,
    site_minimum_size,
    site_count_limits,
    one_interconnection_per_site,
    connection_capacity_limit,
    substation_headroom,
    grid_import_within_connection,
    onsite_output_within_capacity,
    onsite_plant_only_at_open_sites,
    energy_balance,
    peak_supply_adequacy,
    it_target_or_shortfall,
    clean_energy_claims,
    carbon_cap,
    budget_cap,
)


# ------------------------------------------------------------------------------------------------ costs
def overnight_capex(m, d) -> pyo.Expression:
    """Overnight capital cost (USD) of the final-year build-out: land, construction, connections, plant."""
    last = m.T.last()
    c_tab = d.connections
    return (
        sum(
            (float(m._site[s]["land_usd_per_mw"]) + float(m._site[s]["construction_usd_per_mw"]))
            * m.it_mw[s, last]
            for s in m.S
        )
        + sum(
            float(c_tab.loc[c, "fixed_cost_usd"]) * m.connect[c]
            + float(c_tab.loc[c, "cost_usd_per_mw"]) * m.conn_mw[c]
            for c in m.C
        )
        + sum(float(m._gen[g]["capex_usd_per_mw"]) * m.gen_mw[s, g, last] for s in m.S for g in m.G)
    )


def cost_expressions(m: pyo.ConcreteModel, d: ModelInputs) -> dict[tuple[str, int], object]:
    """Present value (USD) of each cost category in each year; their sum is the objective."""
    s_tab, g_tab, k_tab, zones = d.sites, d.generators, d.contracts, d.zones
    cf, conn = m._cf, m._conn
    df, hours = m._df, m._hours
    zone_of = s_tab["zone_id"].to_dict()
    g = g_tab.to_dict("index")
    site = s_tab.to_dict("index")
    tariff = zones["tariff_usd_per_mwh"].to_dict()
    wholesale = zones["wholesale_usd_per_mwh"].to_dict()
    strike = k_tab["strike_usd_per_mwh"].to_dict()

    def per_year(t: int) -> dict[str, object]:
        e = {}
        e["land"] = d.crf_land * sum(site[s]["land_usd_per_mw"] * m.it_mw[s, t] for s in m.S)
        e["construction"] = d.crf_datacenter * sum(
            site[s]["construction_usd_per_mw"] * m.it_mw[s, t] for s in m.S
        )
        e["interconnection"] = d.crf_interconnection * sum(
            conn[c]["fixed_cost_usd"] * m.connect[c] + conn[c]["cost_usd_per_mw"] * m.conn_mw[c]
            for c in m.C
            if t >= int(conn[c]["available_year"])
        )
        e["onsite_generation"] = sum(
            g[k]["crf"] * g[k]["capex_usd_per_mw"] * m.gen_mw[s, k, t] for s in m.S for k in m.GAS
        )
        e["storage"] = sum(
            g[k]["crf"] * g[k]["capex_usd_per_mw"] * m.gen_mw[s, k, t] for s in m.S for k in m.BAT
        )
        e["energy"] = sum(hours[p] * tariff[zone_of[s]] * m.grid_out[s, t, p] for s in m.S for p in m.P)
        e["fuel"] = sum(
            hours[p] * g[k]["fuel_usd_per_mwh"] * m.gen_out[s, k, t, p]
            for s in m.S
            for k in m.GAS
            for p in m.P
        )
        e["contracts"] = sum(
            hours[p] * cf[(k, z, p)] * (strike[(k, z)] - wholesale[z]) * m.ppa_mw[k, z, t]
            for (k, z) in m.K
            for p in m.P
        )
        e["operations"] = (
            sum(site[s]["dc_fixed_om_usd_per_mw_year"] * m.it_mw[s, t] for s in m.S)
            + sum(g[k]["fixed_om_usd_per_mw_year"] * m.gen_mw[s, k, t] for s in m.S for k in m.G)
            + sum(
                hours[p]
                * (g[k]["marginal_cost_usd_per_mwh"] - g[k]["fuel_usd_per_mwh"])
                * m.gen_out[s, k, t, p]
                for s in m.S
                for k in m.GAS
                for p in m.P
            )
        )
        e["carbon"] = d.carbon_price_usd_per_tco2 * m.emissions_t[t] if d.carbon_price_usd_per_tco2 else 0.0
        e["shortfall_penalty"] = d.value_of_lost_compute_usd_per_mw_year * m.shortfall_mw[t]
        return e

    out = {}
    for t in m.T:
        for cat, expr in per_year(t).items():
            out[(cat, t)] = df[t] * expr
    return out


def add_objective(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    """Minimise the present value of all costs (USD)."""
    costs = cost_expressions(m, d)
    m.CAT = pyo.Set(initialize=list(COST_CATEGORIES), ordered=True)
    m.cost_usd = pyo.Expression(m.CAT, m.T, rule=lambda m, c, t: costs[(c, t)])
    m.overnight_capex_usd = pyo.Expression(expr=overnight_capex(m, d))
    m.objective = pyo.Objective(expr=sum(m.cost_usd[c, t] for c in m.CAT for t in m.T), sense=pyo.minimize)


def build_model(d: ModelInputs) -> pyo.ConcreteModel:
    """Assemble the Pyomo model from prepared inputs."""
    m = pyo.ConcreteModel(name=f"siting:{d.name}")
    add_sets_and_parameters(m, d)
    add_variables(m, d)
    add_expressions(m, d)
    for family in CONSTRAINT_FAMILIES:
        family(m, d)
    add_objective(m, d)
    return m
