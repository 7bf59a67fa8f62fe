"""The model's contract: :class:`ModelInputs`, every table and scalar the MILP reads, with units.

:func:`siting.model.prepare.prepare_inputs` builds it from a dataset and a scenario (one small function
per table); :func:`siting.model.build.build_model` reads nothing else. :data:`FIELDS` is the field table
(name, unit, default, source) that ``docs/model.md`` prints and ``tests/model/test_contract.py`` keeps in
step with the dataclass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, field, fields

import numpy as np
import pandas as pd

from ..features.timing import years_between

#: Battery energy between these multiples of its power (hours) when its energy is a decision.
BATTERY_DURATION_BOUNDS_H = (0.5, 8.0)


def _f(unit: str, source: str, **kw):
    """A dataclass field documented with its unit and where its value comes from."""
    return field(metadata={"unit": unit, "source": source}, **kw)


@dataclass
class ModelInputs:
    """Tables and scalars for :func:`siting.model.build.build_model` (units in every column name).

    Tables
    ------
    steps : index ``step`` (0, 1, …); ``start``, ``end`` (Timestamps, end exclusive), ``days``, ``year``,
        ``years`` (length, fraction of a year), ``resolution``, ``discount_factor`` (–, at the step's start),
        ``target_it_mw`` (MW in force during the step)
    periods : index ``period``; ``hours`` (annual weight, h/year; sums to 8,760), ``day`` and ``hour``
        (representative day and hour of day; ``day`` is -1 for monthly periods)
    step_periods : index (``step``, ``period``); ``hours`` (h of the step the period stands for)
    sites : index ``site_id``; ``name``, ``state``, ``zone_id``, ``lat``, ``lon``, ``max_phases``,
        ``min_phases``, ``permitting_lead_time_months``, ``construction_lead_time_months``, ``ready_date``,
        ``first_step``, ``first_online_year``, ``pue_peak``, ``pue_annual``, ``pue_swing`` (design-day peak
        minus minimum PUE, –), ``peak_window_hours`` (h of the design day above its mean load),
        ``land_usd_per_mw``, ``construction_usd_per_mw``, ``dc_fixed_om_usd_per_mw_year``, ``dist_gas_km``,
        ``gas_lateral_usd``, ``gas_allowed``, ``opening_usd_per_year`` (fixed charge while the site is
        developed, from its first step; 0 unless candidate_sites has the column)
    site_periods : index (``site_id``, ``period``); ``pue``, ``wue_l_per_kwh`` (with several cooling designs:
        the lowest over the designs, until the plan replaces them with the chosen design's)
    site_cooling : index (``site_id``, ``design``); ``pue_peak``, ``pue_annual``, ``pue_swing``,
        ``peak_window_hours``, ``wue_annual_l_per_kwh`` (L/kWh of IT energy), ``cooling_capex_usd_per_mw``
        (USD/MW IT over the construction capex; 0 with a single design); one row per offered design
    site_cooling_periods : index (``site_id``, ``design``, ``period``); ``pue``, ``wue_l_per_kwh``
    site_water : index ``site_id``; ``water_basin`` (the site id or state whose availability limits the site;
        empty when none), ``water_available_m3_per_year`` (of the basin, shared by its sites; inf: no limit),
        ``water_stress_proxy`` (0–1 dryness proxy, not WRI Aqueduct), ``water_stress_class``
    substations : index ``substation_id``; ``headroom_mw``, ``max_voltage_kv``, ``zone_id``, ``name``, ``lat``, ``lon``
    connections : index (``site_id``, ``substation_id``); ``distance_km``, ``voltage_kv``,
        ``line_capacity_mw`` (per circuit), ``max_circuits``, ``max_mw``, ``circuit_cost_usd``,
        ``substation_cost_usd``, ``fixed_cost_usd`` (one circuit + substation), ``cost_usd_per_mw``
        (network upgrade), ``lead_time_months``, ``ready_date``, ``first_step``, ``available_year``
    zones : index ``zone_id``; tariff (``energy_charge_usd_per_mwh``, ``demand_charge_usd_per_kw_month``,
        ``min_take_fraction``, ``min_take_years``, ``standby_charge_usd_per_kw_month``,
        ``price_escalation_per_year``, ``price_base_year``, ``standby_max_load_factor``, ``utility``,
        ``fallback``), ``tariff_usd_per_mwh``
        (energy charge at the base year), ``wholesale_usd_per_mwh``, ``grid_co2_t_per_mwh``, ``name``, ``iso``
    zone_steps : index (``zone_id``, ``step``); ``energy_usd_per_mwh`` (the tariff's price path)
    generators : index ``option_id``; owned or rented on-site plant (kinds onsite_gas and battery):
        ``kind``, ``capex_usd_per_mw``, ``energy_capex_usd_per_mwh`` (battery energy), ``fixed_om_usd_per_mw_year``,
        ``marginal_cost_usd_per_mwh`` (VOM + fuel), ``fuel_usd_per_mwh``, ``co2_t_per_mwh``, ``nox_t_per_mwh``,
        ``availability``, ``firm_fraction``, ``max_mw_per_site``, ``max_mw_total``, ``life_years``, ``crf``,
        ``salvage_fraction``, ``rental`` (bool), ``uses_fuel`` (bool), ``duration_hours``,
        ``round_trip_efficiency``, ``lead_time_months``, ``ready_date``, ``first_step``, ``end_step``
        (first step it may no longer run: temporary permits; ``len(steps)`` if none), ``available_year``
    contracts : index (``option_id``, ``zone_id``); ``kind``, ``strike_usd_per_mwh``, ``max_mw``,
        ``lead_time_months``, ``ready_date``, ``first_step``, ``contract_years``
    contract_cf : index (``option_id``, ``zone_id``, ``period``); ``cf`` (–)
    supply_caps : index (``option_id``, ``year``); ``max_new_mw`` (national cap on new MW in that year)
    regions : index ``region_id``; ``name``, ``lat``, ``lon``, ``population`` (people); empty when the
        scenario has no latency section
    region_steps : index (``region_id``, ``step``); ``demand_mw`` (latency-bound IT MW to serve in the step)
    serve_links : index (``site_id``, ``region_id``); ``distance_km`` (great circle; NaN for explicit
        links), ``rtt_ms`` (round trip), ``serving_usd_per_mw_year`` (per MW of IT serving the region);
        only the pairs within the round-trip bound (latency_max_rtt_ms)
    zone_periods : index (``zone_id``, ``period``); ``grid_co2_t_per_mwh`` (t CO2 per MWh of grid energy in
        the period, on the scenario's grid-carbon basis (average or marginal): the hourly file's month × hour
        profile weighted by the period's month hours, else the zone's annual rate in every period)
    """

    name: str = _f("–", "scenario.name")
    years: list[int] = _f("calendar year", "scenario.horizon (first_year … last_year)")
    decision_date: dt.date = _f("date", "scenario.decision_date; discounting starts here")
    currency_year: int = _f("calendar year", "scenario.currency_year (real USD of this year)")
    discount_rate: float = _f("1/year", "scenario.discount_rate")
    steps: pd.DataFrame = _f("table", "prepare.time_grid: features.timing.build_steps(scenario)")
    periods: pd.DataFrame = _f("table", "prepare.climate_features: 12 months or tsam representative hours")
    step_periods: pd.DataFrame = _f("table", "prepare.step_period_hours: hours of each step per period")
    phase_mw: float = _f("MW IT", "scenario.phase_mw")
    min_sites: int = _f("count", "scenario.min_sites")
    max_sites: int | None = _f("count", "scenario.max_sites (None: no limit)")
    sites: pd.DataFrame = _f("table", "prepare.site_table: candidate_sites + climate + costs.csv")
    site_periods: pd.DataFrame = _f("table", "prepare.climate_features: features.cooling PUE/WUE per period")
    substations: pd.DataFrame = _f("table", "prepare.connection_tables: substations.csv near the sites")
    connections: pd.DataFrame = _f(
        "table", "prepare.connection_tables: substations within reach, line_costs.csv"
    )
    zones: pd.DataFrame = _f("table", "prepare.zone_tables: zones.csv + tariffs (features.tariffs)")
    zone_steps: pd.DataFrame = _f("table", "prepare.zone_tables: tariff price path per step")
    generators: pd.DataFrame = _f(
        "table", "prepare.generator_table: power_options.csv on-site rows + costs.csv"
    )
    contracts: pd.DataFrame = _f("table", "prepare.contract_tables: power_options.csv PPA rows per zone")
    contract_cf: pd.DataFrame = _f("table", "prepare.contract_tables: features.solar/wind capacity factors")
    supply_caps: pd.DataFrame = _f(
        "table", "prepare.supply_cap_table: supply_chain.csv + scenario.supply_chain"
    )
    regions: pd.DataFrame = _f("table", "prepare.latency_tables: demand_regions.csv (scenario.latency only)")
    region_steps: pd.DataFrame = _f(
        "table", "prepare.latency_tables: share × step target × population share, or inference_mw_<year>"
    )
    serve_links: pd.DataFrame = _f(
        "table", "prepare.latency_tables: features.latency, or site_region_links.csv; pairs within the bound"
    )
    zone_periods: pd.DataFrame = _f(
        "table",
        "prepare.zone_period_table: features.grid_carbon.grid_co2_by_period (scenario.grid_carbon.hourly_file, "
        "else zones.csv annual rate)",
        default_factory=pd.DataFrame,
    )
    site_cooling: pd.DataFrame = _f(
        "table",
        "prepare.cooling_tables: features.cooling per offered design + costs.csv cooling_capex_*",
        default_factory=pd.DataFrame,
    )
    site_cooling_periods: pd.DataFrame = _f(
        "table",
        "prepare.cooling_tables: features.cooling PUE/WUE per offered design and period",
        default_factory=pd.DataFrame,
    )
    site_water: pd.DataFrame = _f(
        "table",
        "prepare.site_water_table: scenario.water.availability_file + features.water proxy",
        default_factory=pd.DataFrame,
    )
    target_dates_it_mw: dict[str, float] = _f(
        "MW IT by ISO date", "scenario.targets_it_mw", default_factory=dict
    )
    chronological: bool = _f(
        "–", "True when periods are tsam representative hours (batteries dispatch)", default=False
    )
    it_utilization: float = _f(
        "–", "scenario.overrides.it_utilization, else costs.csv it_utilization", default=0.8
    )
    grid_allowed: bool = _f("–", "'utility_tariff' in scenario.power_options", default=True)
    value_of_lost_compute_usd_per_mw_year: float = _f(
        "USD/MW-year", "scenario.value_of_lost_compute_usd_per_mw_year", default=10.0e6
    )
    budget_usd: float | None = _f(
        "USD", "scenario.budget_usd (overnight capex cap; None: none)", default=None
    )
    carbon_cap_tco2_per_year: float | None = _f(
        "tCO2/year", "scenario.carbon_cap_tco2_per_year (None: none)", default=None
    )
    carbon_price_usd_per_tco2: float = _f("USD/tCO2", "scenario.carbon_price_usd_per_tco2", default=0.0)
    grid_carbon_basis: str = _f(
        "–", "scenario.grid_carbon.basis: 'average' or 'marginal' (of zone_periods)", default="average"
    )
    crf_datacenter: float = _f(
        "1/year", "crf(discount_rate, costs.csv datacenter_life_years)", default=0.0944
    )
    crf_interconnection: float = _f(
        "1/year", "crf(discount_rate, costs.csv interconnection_life_years)", default=0.075
    )
    crf_land: float = _f("1/year", "crf(discount_rate, costs.csv land_life_years)", default=0.07)
    max_connections_per_site: int = _f(
        "count", "scenario.interconnection.max_connections_per_site", default=2
    )
    air_gas_mw_per_site: float | None = _f(
        "MW", "scenario.air_permit.max_gas_mw_per_site (None: no cap)", default=None
    )
    air_nox_t_per_year_per_site: float | None = _f(
        "tNOx/year",
        "scenario.air_permit.max_nox_t_per_year_per_site; with synthetic_minor_source at most costs.csv air_permit_major_source_nox_t_per_year (100 short tons)",
        default=None,
    )
    air_co2_t_per_year_per_site: float | None = _f(
        "tCO2/year", "scenario.air_permit.max_co2_t_per_year_per_site (None: no cap)", default=None
    )
    latency_max_rtt_ms: float | None = _f(
        "ms", "scenario.latency.max_rtt_ms (None: no latency-bound demand)", default=None
    )
    clean_matching: str = _f(
        "–",
        "scenario.clean_energy.matching: 'annual' (per step) or 'hourly' (per period, 24/7)",
        default="annual",
    )
    clean_target_fraction: float | None = _f(
        "–",
        "scenario.clean_energy.target_fraction (matched clean MWh / consumed MWh; None: none)",
        default=None,
    )
    clean_target_start_year: int | None = _f(
        "calendar year", "scenario.clean_energy.start_year (None: the whole horizon)", default=None
    )
    clean_target_scope: str = _f(
        "–",
        "scenario.clean_energy.scope: 'portfolio' (all sites) or 'zone' (each zone's sites)",
        default="portfolio",
    )
    clean_links: list[tuple] = _f(
        "(zone_id, zone_id)",
        "prepare.clean_links: (contract zone, load zone) pairs a claim may use: each zone with itself, plus "
        "scenario.clean_energy.deliverable_from",
        default_factory=list,
    )
    cooling_designs: list[str] = _f(
        "–",
        "scenario.cooling (a list of several: each site's design is a decision)",
        default_factory=lambda: ["evaporative"],
    )
    water_cap_m3_per_year_per_site: float | None = _f(
        "m3/year", "scenario.water.cap_m3_per_year_per_site (None: no cap)", default=None
    )
    water_price_usd_per_m3: float = _f(
        "USD/m3",
        "scenario.water.price_usd_per_m3, else costs.csv water_price_usd_per_m3; 0 without water",
        default=0.0,
    )
    screened_from_sites: int = _f(
        "count",
        "screen.restrict_to_sites: candidate sites before solver.screen_sites cut them down (0: no screen)",
        default=0,
    )
    notes: list[str] = _f("–", "prepare: notes for the plan (dropped sites, fallbacks)", default_factory=list)

    @property
    def decision_year(self) -> int:
        return self.decision_date.year

    @property
    def targets_it_mw(self) -> pd.Series:
        """IT MW target in force on 1 January of each horizon year (yearly summaries)."""
        return pd.Series({y: self.target_at(pd.Timestamp(y, 1, 1)) for y in self.years}, name="target_it_mw")

    def target_at(self, when: pd.Timestamp) -> float:
        """Target of the step that contains ``when`` (0 before the first step)."""
        i = int(np.searchsorted(self.steps["start"].to_numpy(), np.datetime64(when), side="right")) - 1
        return float(self.steps["target_it_mw"].iloc[i]) if i >= 0 else 0.0

    def hours_by_step(self) -> dict[int, dict[int, float]]:
        """Hours of each step that each climate period stands for, ``{step: {period: h}}`` in sorted order
        (``step_periods`` as nested dicts: what the model's energy balances and the results both sum over)."""
        out: dict[int, dict[int, float]] = {}
        for (t, p), h in self.step_periods["hours"].sort_index().items():
            out.setdefault(int(t), {})[int(p)] = float(h)
        return out

    def first_step_of_year(self, year: int) -> int:
        """Index of the first step of a calendar year."""
        return int(self.steps.index[self.steps["year"] == year][0])

    def discount_factor(self, year: int) -> float:
        """Present-value factor of a cost on 1 January of ``year`` (discounted to the decision date)."""
        return (1.0 + self.discount_rate) ** (-years_between(self.decision_date, dt.date(year, 1, 1)))


def field_table() -> pd.DataFrame:
    """The contract as a table: one row per :class:`ModelInputs` field with ``name``, ``unit``,
    ``default`` ("required" when the builder must give it) and ``source``."""
    rows = []
    for f in fields(ModelInputs):
        default = "required"
        if f.default_factory is not MISSING:
            value = f.default_factory()
            default = "empty table" if isinstance(value, pd.DataFrame) else repr(value)
        elif f.default is not MISSING:
            default = repr(f.default)
        rows.append(
            {"name": f.name, "unit": f.metadata["unit"], "default": default, "source": f.metadata["source"]}
        )
    return pd.DataFrame(rows)


def field_table_markdown() -> str:
    """:func:`field_table` as the Markdown table printed in ``docs/model.md``."""
    lines = ["| field | unit | default | source |", "|---|---|---|---|"]
    for r in field_table().itertuples(index=False):
        lines.append(f"| `{r.name}` | {r.unit} | {r.default} | {r.source} |")
    return "\n".join(lines)
