"""Scenario files: the validated description of one planning question.

A scenario is a YAML file (see ``models/``) validated by the pydantic model :class:`Scenario`. Every
quantity carries its unit in its name. Paths in ``data`` are relative to the scenario file.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import InputError, did_you_mean

SUPPLY_KINDS = ("utility_tariff", "solar_ppa", "wind_ppa", "firm_clean_ppa", "onsite_gas", "battery")
DATA_LAYERS = (
    "zones",
    "substations",
    "transmission_lines",
    "candidate_sites",
    "climate",
    "power_options",
    "costs",
    "line_costs",
    "states",
    "tariffs",
    "permitting",
    "gas_points",
    "supply_chain",
)


def _as_date(key) -> dt.date:
    """A target key: a year (int or "2030") means 1 January of it; otherwise an ISO date."""
    if isinstance(key, dt.datetime):
        return key.date()
    if isinstance(key, dt.date):
        return key
    text = str(key).strip()
    if text.isdigit():
        return dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"target key {key!r} is neither a year (2030) nor an ISO date (2026-05-01)"
        ) from None


#: A target key: a year (``2030`` = 1 January 2030) or an ISO date.
TargetDate = Annotated[dt.date, BeforeValidator(_as_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Horizon(_Strict):
    """Planning horizon: calendar years in which IT capacity can be online (inclusive)."""

    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.last_year < self.first_year:
            raise ValueError("horizon.last_year must be ≥ horizon.first_year")
        if self.last_year - self.first_year > 40:
            raise ValueError("horizon longer than 40 years; shorten it")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class Region(_Strict):
    """Where candidate sites may be. Either a list of states, or a circle, or both (intersection)."""

    states: list[str] | None = None
    center_lat: float | None = Field(default=None, ge=-90, le=90)
    center_lon: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _circle_complete(self) -> Region:
        parts = [self.center_lat, self.center_lon, self.radius_km]
        if any(p is not None for p in parts) and not all(p is not None for p in parts):
            raise ValueError("region needs all of center_lat, center_lon and radius_km for a circle")
        if self.states is not None:
            self.states = sorted({s.upper() for s in self.states})
        return self


class Interconnection(_Strict):
    """How sites may connect to the grid."""

    max_distance_km: float = Field(default=40.0, gt=0, description="straight-line radius to a substation")
    min_voltage_kv: float = Field(default=138.0, ge=0)
    candidates_per_site: int = Field(default=3, ge=1, le=20, description="nearest substations considered")
    lead_time_months: float | None = Field(
        default=None, ge=0, description="override every zone's interconnection lead time (months)"
    )
    extra_delay_months: float = Field(default=0.0, ge=0, description="added to every lead time (months)")
    lead_time_years: float | None = Field(default=None, ge=0, description="legacy: lead_time_months / 12")
    extra_delay_years: float = Field(default=0.0, ge=0, description="legacy: extra_delay_months / 12")
    max_connections_per_site: int = Field(
        default=2, ge=1, le=10, description="substations one site may connect to (each with its own cost)"
    )
    max_circuits_per_connection: int = Field(
        default=2, ge=1, le=10, description="parallel circuits on one site–substation connection"
    )

    def lead_months(self) -> float | None:
        """The override of every zone's lead time in months (``lead_time_months`` or legacy years × 12)."""
        if self.lead_time_months is not None:
            return self.lead_time_months
        return None if self.lead_time_years is None else 12.0 * self.lead_time_years

    def delay_months(self) -> float:
        """Delay added to every interconnection lead time (months)."""
        return self.extra_delay_months + 12.0 * self.extra_delay_years


class TimeResolution(_Strict):
    """How the year is represented in the energy balance.

    ``monthly``: the 12 months, each with its mean typical-day PUE (small models; the default).
    ``representative_days``: an hourly typical year is synthesised from the monthly climate (or taken
    from hourly data), hourly PUE/WUE and solar/wind capacity factors are computed, and tsam clusters the
    365 days into ``n_days`` weighted representative days, so the model sees ``24 × n_days`` hours.
    """

    kind: Literal["monthly", "representative_days"] = "monthly"
    n_days: int = Field(default=8, ge=2, le=60)


class TimeSteps(_Strict):
    """The build-out time grid: finer steps where it matters, yearly after.

    From the decision date, steps are calendar months for ``monthly_months`` months, then calendar
    quarters until ``quarterly_months`` months after the decision date, then calendar years. Every target
    date and every 1 January is also a step boundary. ``{monthly_months: 0, quarterly_months: 0}`` gives
    yearly steps. By default (``quarterly_months: null``) quarters run until the last target date, and at
    least 24 months: the build-out is resolved by quarter wherever a target is still being ramped to.
    """

    monthly_months: int = Field(default=0, ge=0, le=60)
    quarterly_months: int | None = Field(default=None, ge=0, le=240)


class OnsiteLimit(_Strict):
    """Caps on one on-site option (``power_options.csv`` option_id)."""

    max_mw_per_site: float | None = Field(default=None, ge=0, description="MW of this option at one site")
    max_mw_total: float | None = Field(default=None, ge=0, description="MW of this option over all sites")


class AirPermit(_Strict):
    """Per-site air-permit limits on fuel-burning on-site plant (none by default).

    ``synthetic_minor_source: true`` caps each site's NOx below the major-source threshold of
    ``costs.csv`` (``air_permit_major_source_nox_t_per_year``, 100 short tons a year under Clean Air Act
    Title V / PSD), the usual way to avoid a 12-month PSD review.
    """

    max_gas_mw_per_site: float | None = Field(default=None, ge=0)
    max_nox_t_per_year_per_site: float | None = Field(default=None, ge=0)
    max_co2_t_per_year_per_site: float | None = Field(default=None, ge=0)
    synthetic_minor_source: bool = False


class Latency(_Strict):
    """Latency-bound demand served from sites near the users (off unless the scenario has this section).

    Each demand region (``data/demand_regions.csv``, or ``data.demand_regions``) is served its latency-bound
    IT MW in every step only by sites whose round-trip time to it is at most ``max_rtt_ms``; what no site in
    reach serves counts in the shortfall (once: the compute lost is max(target − IT online, unserved
    latency-bound MW)). A region's demand is
    ``latency_bound_share`` × the step's IT target × its population share, unless the regions file gives
    ``inference_mw_<year>`` columns. Round-trip time and serving cost come from great-circle distance
    (:mod:`siting.features.latency`) unless ``data.site_region_links`` lists them per pair. See
    docs/latency.md.
    """

    latency_bound_share: float = Field(
        default=0.3, ge=0, le=1, description="share of each step's IT target that is latency-bound (–)"
    )
    max_rtt_ms: float = Field(default=20.0, gt=0, description="round-trip bound between site and region (ms)")
    route_factor: float = Field(
        default=1.5, ge=1, le=5, description="fiber route length / great-circle distance (–)"
    )
    equipment_rtt_ms: float = Field(
        default=0.0, ge=0, description="fixed round-trip time added to every pair (switching, last mile; ms)"
    )
    serving_cost_usd_per_mw_year_per_1000_km: float = Field(
        default=20_000.0,
        ge=0,
        description="network transport cost per MW-year of served IT and 1,000 km of fiber route (unverified)",
    )


class CleanEnergy(_Strict):
    """How contracted clean energy is matched to the campus' consumption, and an optional clean-energy target.

    ``annual``: a zone's PPA output in a time step is claimed against the grid energy its sites buy in that
    step (volumes; a quarter or a calendar year). ``hourly`` (24/7 carbon-free energy): the claim is made in
    every representative hour, so solar at noon cannot cover the night; it needs
    ``time_resolution.kind: representative_days``. Output not claimed settles at the zone's wholesale
    price either way (PPAs are contracts for difference). A zone's sites may claim only their own zone's
    contracts, plus those of the zones listed in ``deliverable_from``. See docs/clean-energy.md.
    """

    matching: Literal["annual", "hourly"] = "annual"
    target_fraction: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="matched clean MWh / consumed MWh (grid + on-site) in every step from start_year (–)",
    )
    start_year: int | None = Field(
        default=None, description="first calendar year the target applies (None: every year of the horizon)"
    )
    scope: Literal["portfolio", "zone"] = Field(
        default="portfolio",
        description="the target holds for all sites together, or in every zone with sites for its own sites",
    )
    deliverable_from: dict[str, list[str]] = Field(
        default_factory=dict,
        description="zone_id → zone_ids whose contracts may also be claimed there (deliverable neighbours)",
    )

    @field_validator("deliverable_from", mode="before")
    @classmethod
    def _zone_ids_as_text(cls, v: Any) -> Any:
        """Zone ids as text (YAML reads ``{4: [5]}`` as integers); a single id may stand for a list."""
        if not isinstance(v, Mapping):
            return v
        return {str(k): [str(z) for z in (z_ if isinstance(z_, list) else [z_])] for k, z_ in v.items()}


CoolingName = Literal["evaporative", "air", "liquid"]


class Water(_Strict):
    """Water limits and price (off unless the scenario has this section; docs/scenarios.md).

    Water use in a step is Σ over periods of hours × IT utilization × WUE of the site's cooling design
    × IT MW (1 L/kWh = 1 m3/MWh). ``cap_m3_per_year_per_site`` caps every site's annual use (pro rata in
    each step); ``availability_file`` (CSV: ``site_id`` or ``state``, and ``water_available_m3_per_year``)
    caps the use of one site, or of all sites of one state together; ``price_usd_per_m3`` charges every
    m3 (category ``water``).
    """

    cap_m3_per_year_per_site: float | None = Field(
        default=None, ge=0, description="annual water use of one site (m3/year); None: no cap"
    )
    price_usd_per_m3: float | None = Field(
        default=None,
        ge=0,
        description="price of water (USD/m3); None: costs.csv water_price_usd_per_m3 (unverified "
        "placeholder), 0 if that row is absent",
    )
    availability_file: Path | None = Field(
        default=None, description="CSV of water available per site or per state (relative to the scenario)"
    )


class GridCarbon(_Strict):
    """Grid CO₂ factors of grid energy: basis and optional hourly file (see docs/scenarios.md).

    ``basis: average`` (default) uses each zone's annual eGRID2022 rate (``zones.csv``
    ``grid_co2_kg_per_mwh``) unless ``hourly_file`` gives hourly factors. ``basis: marginal`` needs marginal
    factors: an ``hourly_file`` of marginal factors, or a ``grid_marginal_co2_kg_per_mwh`` zones column (an
    annual proxy such as eGRID's non-baseload output rate, which is not embedded). The file's factors are
    taken to be on the stated basis. Formats: :mod:`siting.features.grid_carbon`.
    """

    basis: Literal["average", "marginal"] = Field(
        default="average", description="average or marginal grid emission factors"
    )
    hourly_file: Path | None = Field(
        default=None,
        description="CSV of hourly factors (t CO2/MWh, UTC hours) by zone_id: month × hour-of-day or 8,760 "
        "hours; relative to the scenario file",
    )


class Solver(_Strict):
    """HiGHS options passed through Pyomo's highspy interface."""

    time_limit_seconds: float = Field(default=300.0, gt=0)
    mip_gap: float = Field(default=0.005, ge=0, le=1)
    threads: int = Field(default=1, ge=1)
    seed: int = Field(default=20240101, ge=0)
    tee: bool = False
    heuristic_effort: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="HiGHS mip_heuristic_effort (its default 0.05 left the generated-candidate scenario at an "
        "18 % gap after 120 s; 0.3 solved it to 0.09 % in 246 s)",
    )
    warm_start_sites: int = Field(
        default=40,
        ge=0,
        description="with more candidate sites than this, first solve with only this many (a short list by "
        "a cost proxy, see siting.model.screen) and start the full solve from that plan; 0 turns it off. "
        "The full solve still ranges over every site and proves its gap against the full model",
    )
    period_bound: bool = Field(
        default=True,
        description="after the warm start, try to prove its plan with the LP bound of the model with the "
        "periods of each step averaged (a relaxation, siting.model.relax; monthly resolution only): when the "
        "plan is within mip_gap of it, the full model is not solved. False: always solve the full model",
    )
    screen_sites: int = Field(
        default=0,
        ge=0,
        description="with more candidate sites than this, keep only the screen's short list (this many by "
        "the cost proxy and grid date of siting.model.screen, plus the cheapest site in reach of each "
        "latency region) and build the model over those; 0 (the default) keeps every site. For thousands "
        "of candidates: the plan and its gap then hold over the kept sites only, and the sites screened "
        "out are not proven worse (the plan's notes say so)",
    )


class DataPaths(_Strict):
    """Optional user files that replace default data layers (same columns; see docs/data-layers.md)."""

    zones: Path | None = None
    substations: Path | None = None
    transmission_lines: Path | None = None
    candidate_sites: Path | None = None
    climate: Path | None = None
    power_options: Path | None = None
    costs: Path | None = None
    line_costs: Path | None = None
    states: Path | None = None
    tariffs: Path | None = None
    permitting: Path | None = None
    gas_points: Path | None = None
    supply_chain: Path | None = None
    demand_regions: Path | None = None
    site_region_links: Path | None = None
    hourly_weather: Path | None = Field(
        default=None,
        description="NetCDF of one year of hourly weather (time, lat, lon) for the representative days "
        "(docs/bring-your-own-data.md)",
    )


class Overrides(_Strict):
    """Scalar cost or timing assumptions that replace the defaults in ``data/costs.csv``."""

    construction_lead_time_months: float | None = Field(default=None, ge=0)
    permitting_lead_time_months: float | None = Field(default=None, ge=0)
    construction_lead_time_years: float | None = Field(default=None, ge=0, description="legacy (× 12)")
    permitting_lead_time_years: float | None = Field(default=None, ge=0, description="legacy (× 12)")
    construction_capex_usd_per_kw_it: float | None = Field(default=None, ge=0)
    gas_price_usd_per_mmbtu: float | None = Field(default=None, ge=0)
    electricity_price_multiplier: float = Field(default=1.0, ge=0)
    it_utilization: float | None = Field(default=None, gt=0, le=1)
    onsite_reserve_margin: float | None = Field(
        default=None, ge=0, le=2, description="spare on-site capacity, –"
    )

    def months(self, name: str) -> float | None:
        """``<name>_lead_time_months``, or the legacy ``<name>_lead_time_years`` × 12, or None."""
        m = getattr(self, f"{name}_lead_time_months")
        y = getattr(self, f"{name}_lead_time_years")
        return m if m is not None else (None if y is None else 12.0 * y)


class Scenario(_Strict):
    """One planning question. Units are in the field names; money is real USD of ``currency_year``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    currency_year: int = Field(default=2024, ge=1990, le=2100)
    discount_rate: float = Field(default=0.07, ge=0, le=0.5, description="real, per year")
    decision_date: dt.date | None = Field(
        default=None, description="planning, permits, queue requests and orders start on this date"
    )
    decision_year: int | None = Field(default=None, description="legacy: decision_date = 1 January of it")
    horizon: Horizon
    targets_it_mw: dict[TargetDate, float] = Field(
        description="IT MW that must be online from a date on, keyed by ISO date (`2026-05-01`) or by year "
        "(`2030` = by 1 January 2030); held until the next target"
    )
    time_steps: TimeSteps = Field(default_factory=TimeSteps)
    phase_mw: float = Field(default=50.0, gt=0, description="size of one build phase, IT MW")
    site_min_it_mw: float = Field(default=0.0, ge=0)
    site_max_it_mw: float = Field(default=1000.0, gt=0)
    min_sites: int = Field(default=1, ge=0)
    max_sites: int | None = Field(default=None, ge=1)
    region: Region | None = None
    power_options: list[str] = Field(default_factory=lambda: list(SUPPLY_KINDS))
    cooling: CoolingName | list[CoolingName] = Field(
        default="evaporative",
        description="one cooling design for every site, or a list to choose from per site (the model "
        "then picks each site's design; docs/scenarios.md)",
    )
    water: Water | None = Field(default=None, description="water caps, availability and price; None: off")
    time_resolution: TimeResolution = Field(default_factory=TimeResolution)
    budget_usd: float | None = Field(default=None, gt=0, description="cap on overnight capex of all builds")
    carbon_cap_tco2_per_year: float | None = Field(default=None, ge=0)
    carbon_price_usd_per_tco2: float = Field(default=0.0, ge=0)
    grid_carbon: GridCarbon = Field(
        default_factory=GridCarbon,
        description="grid emission factors: basis (average | marginal) and an optional hourly file",
    )
    value_of_lost_compute_usd_per_mw_year: float = Field(
        default=10.0e6, ge=0, description="shortfall penalty per IT MW-year below target"
    )
    interconnection: Interconnection = Field(default_factory=Interconnection)
    onsite_limits: dict[str, OnsiteLimit] = Field(
        default_factory=dict,
        description="caps per on-site option_id, e.g. {gas_mobile_turbine: {max_mw_per_site: 247}}",
    )
    air_permit: AirPermit = Field(default_factory=AirPermit)
    latency: Latency | None = Field(
        default=None, description="latency-bound demand regions (docs/latency.md); None: off"
    )
    clean_energy: CleanEnergy = Field(
        default_factory=CleanEnergy, description="annual or hourly (24/7) matching and a clean-energy target"
    )
    supply_chain: dict[str, dict[int, float]] | None = Field(
        default=None,
        description="national cap on new MW per option_id and year, replacing data/supply_chain.csv rows; "
        "`{}` disables the caps",
    )
    require_gas_lateral: bool = Field(
        default=True,
        description="fuel-burning plant needs a gas lateral to the nearest gas point (cost per km)",
    )
    overrides: Overrides = Field(default_factory=Overrides)
    solver: Solver = Field(default_factory=Solver)
    data: DataPaths = Field(default_factory=DataPaths)
    candidates: dict | None = Field(
        default=None,
        description="`{generate: {...}}` to generate candidate sites from land data instead of the candidate "
        "list (see docs/bring-your-own-data.md; paths relative to the scenario file)",
    )
    source_path: Path | None = Field(default=None, exclude=True)

    @field_validator("targets_it_mw")
    @classmethod
    def _targets_nonnegative(cls, v: dict[dt.date, float]) -> dict[dt.date, float]:
        if not v:
            raise ValueError("targets_it_mw needs at least one year")
        bad = {y: mw for y, mw in v.items() if mw < 0}
        if bad:
            raise ValueError(f"targets_it_mw must be ≥ 0 MW; got {bad}")
        return dict(sorted(v.items()))

    @field_validator("cooling", mode="before")
    @classmethod
    def _known_designs(cls, v: Any) -> Any:
        """One clear message for a bad design or list (instead of one per member of the union)."""
        allowed = get_args(CoolingName)
        items = v if isinstance(v, list) else [v]
        if not items:
            raise ValueError(f"cooling needs at least one design of {list(allowed)}")
        unknown = [x for x in items if x not in allowed]
        if unknown:
            raise ValueError(
                f"unknown cooling design(s) {unknown}; allowed: {list(allowed)} or a list of them"
            )
        if len(set(items)) < len(items):
            raise ValueError(f"cooling lists a design more than once: {items}")
        return v

    @field_validator("power_options")
    @classmethod
    def _known_kinds(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - set(SUPPLY_KINDS))
        if unknown:
            raise ValueError(f"unknown power option kinds {unknown}; allowed: {list(SUPPLY_KINDS)}")
        return sorted(set(v), key=SUPPLY_KINDS.index)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.decision_date is None and self.decision_year is not None:
            self.decision_date = dt.date(self.decision_year, 1, 1)
        elif self.decision_year is None and self.decision_date is not None:
            self.decision_year = self.decision_date.year
        problems = cross_field_problems(dict(self), self.model_fields_set)
        if problems:
            raise ValueError("; ".join(f"{name}: {msg}" for name, msg in problems))
        return self

    @property
    def cooling_designs(self) -> list[str]:
        """The cooling designs offered to every site, in the scenario's order (one: no choice)."""
        return [self.cooling] if isinstance(self.cooling, str) else list(self.cooling)

    @property
    def start_date(self) -> dt.date:
        """First modelled day: the later of the decision date and 1 January of ``horizon.first_year``."""
        return max(self.decision_date, dt.date(self.horizon.first_year, 1, 1))

    def target_at(self, when: dt.date) -> float:
        """IT MW target in force on ``when`` (the latest target dated on or before it; 0 before the first)."""
        due = [mw for d, mw in self.targets_it_mw.items() if d <= when]
        return float(due[-1]) if due else 0.0

    def target_by_year(self) -> dict[int, float]:
        """IT MW target in force on 1 January of every horizon year."""
        return {y: self.target_at(dt.date(y, 1, 1)) for y in self.horizon.years}

    def resolve(self, path: Path | None) -> Path | None:
        """Resolve a data path relative to the scenario file."""
        if path is None:
            return None
        if path.is_absolute() or self.source_path is None:
            return path
        return (self.source_path.parent / path).resolve()


def _value(name: str, v: Mapping[str, Any], given: Collection[str]) -> str:
    """``name = value``, saying when the value is the default because the user did not set the field."""
    value = f"{v[name]:g}" if isinstance(v[name], float) else str(v[name])
    text = f"{name} = {value}"
    return text if name in given else f"{text} ({name} not set: default {value})"


def _decision(v: Mapping[str, Any]) -> dt.date | None:
    """The decision date of partly validated values (None when neither field is usable)."""
    if v.get("decision_date") is not None:
        return v["decision_date"]
    return dt.date(v["decision_year"], 1, 1) if v.get("decision_year") is not None else None


def _date_problems(v: Mapping[str, Any], given: Collection[str]) -> list[tuple[str, str]]:
    """Decision date, horizon and target dates."""
    out: list[tuple[str, str]] = []
    if "decision_date" in v and "decision_year" in v:
        date, year = v["decision_date"], v["decision_year"]
        if date is None and year is None:
            out.append(("decision_date", "give decision_date (e.g. 2026-01-01) or decision_year"))
        elif date is not None and year is not None and date.year != year:
            out.append(("decision_year", f"decision_year {year} disagrees with decision_date {date}"))
    decision, horizon = _decision(v), v.get("horizon")
    if decision is None or horizon is None:
        return out
    if decision.year > horizon.first_year:
        out.append(
            (
                "decision_year",
                f"the decision ({decision}) must be no later than horizon.first_year = {horizon.first_year}",
            )
        )
    start = max(decision, dt.date(horizon.first_year, 1, 1))
    end = dt.date(horizon.last_year + 1, 1, 1)
    outside = [d.isoformat() for d in v.get("targets_it_mw") or {} if d < start or d >= end]
    if outside:
        out.append(
            (
                "targets_it_mw",
                f"target dates {outside} fall outside the modelled period {start} – {horizon.last_year}-12-31 "
                "(from the later of decision_date and 1 January of horizon.first_year)",
            )
        )
    return out


def cross_field_problems(v: Mapping[str, Any], given: Collection[str]) -> list[tuple[str, str]]:
    """``(field, message)`` of every problem that involves more than one scenario field.

    ``v`` holds validated field values; a field that is missing from it (because its own value is invalid)
    skips the checks that need it, so that these problems can be reported together with the field errors.
    A message names the default of a field the user did not set (``given`` are the fields set).
    """
    out = _date_problems(v, given)

    def have(*names: str) -> bool:
        return all(n in v for n in names)

    if have("site_min_it_mw", "site_max_it_mw") and v["site_min_it_mw"] > v["site_max_it_mw"]:
        out.append(
            (
                "site_min_it_mw",
                f"{_value('site_min_it_mw', v, given)} must be ≤ {_value('site_max_it_mw', v, given)}",
            )
        )
    if have("max_sites", "min_sites") and v["max_sites"] is not None and v["max_sites"] < v["min_sites"]:
        out.append(
            ("max_sites", f"{_value('max_sites', v, given)} must be ≥ {_value('min_sites', v, given)}")
        )
    screen = v["solver"].screen_sites if "solver" in v else 0
    if have("min_sites") and 0 < screen < v["min_sites"]:
        out.append(
            (
                "solver",
                f"solver.screen_sites = {screen} keeps fewer sites than min_sites = {v['min_sites']}: "
                f"set screen_sites ≥ {v['min_sites']} (or 0 to keep every site)",
            )
        )
    cands = v.get("candidates")
    if cands is not None and set(cands) != {"generate"}:
        out.append(("candidates", "candidates must be a mapping with the single key `generate`"))
    if cands is not None and "data" in v and v["data"].candidate_sites is not None:
        out.append(("candidates", "give either candidates.generate or data.candidate_sites, not both"))
    kinds = v.get("power_options")
    if kinds is not None and "utility_tariff" not in kinds and "onsite_gas" not in kinds:
        out.append(
            (
                "power_options",
                "power_options needs utility_tariff or onsite_gas: nothing else supplies energy",
            )
        )
    return out + _clean_energy_problems(v)


def _clean_energy_problems(v: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Hourly matching without hours, a target without any clean contract, a target after the horizon."""
    clean, res, kinds, horizon = (
        v.get(k) for k in ("clean_energy", "time_resolution", "power_options", "horizon")
    )
    if clean is None:
        return []
    out = []
    if res is not None and clean.matching == "hourly" and res.kind != "representative_days":
        out.append(
            (
                "clean_energy",
                "clean_energy.matching: hourly needs hours: set time_resolution: {kind: representative_days} "
                f"(time_resolution.kind is {res.kind})",
            )
        )
    ppa = [k for k in (kinds or []) if k.endswith("_ppa")]
    if clean.target_fraction and kinds is not None and not ppa:
        out.append(
            (
                "clean_energy",
                f"clean_energy.target_fraction = {clean.target_fraction:g} needs a clean contract: add "
                "solar_ppa, wind_ppa or firm_clean_ppa to power_options (without one the target can only be "
                "met by building no IT)",
            )
        )
    if clean.start_year is not None and horizon is not None and clean.start_year > horizon.last_year:
        out.append(
            (
                "clean_energy",
                f"clean_energy.start_year = {clean.start_year} is after the horizon's last year "
                f"{horizon.last_year}: the target would never apply; choose a year of the horizon",
            )
        )
    return out


def _unwrap(annotation):
    """``X`` of ``X | None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _fields_at(loc: tuple) -> list[str]:
    """Field names of the model found at ``loc`` inside :class:`Scenario` (nested models, dict values)."""
    cur = Scenario
    for part in loc:
        cur = _unwrap(cur)
        if isinstance(cur, type) and issubclass(cur, BaseModel):
            if part not in cur.model_fields:
                return []
            cur = cur.model_fields[part].annotation
        elif get_origin(cur) is dict:
            cur = get_args(cur)[1]
        else:
            return []
    cur = _unwrap(cur)
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return [f for f in cur.model_fields if f != "source_path"]
    return []


def _field_problem(err: Mapping[str, Any]) -> tuple[str, str]:
    """``(dotted field, message)`` of one pydantic error, with a suggestion for an unknown field."""
    loc = tuple(str(p) for p in err["loc"])
    where = ".".join(loc) or "(top level)"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return where, f"unknown field{did_you_mean(loc[-1], _fields_at(err['loc'][:-1]))}"
    if err["type"] == "missing":
        return where, "required field is missing"
    value = err.get("input")
    if isinstance(value, (str, int, float, bool)) and not err["type"].startswith("value_error"):
        msg += f" (got {value!r})"
    return where, msg


def _valid_values(raw: Mapping[str, Any], bad: set[str]) -> tuple[dict[str, Any], set[str]]:
    """Validated values of the fields without errors (defaults for fields not given) and the given fields."""
    values: dict[str, Any] = {}
    for name, info in Scenario.model_fields.items():
        if name in bad:
            continue
        if name in raw:
            try:
                values[name] = TypeAdapter(info.annotation).validate_python(raw[name])
            except ValidationError:
                continue
        elif not info.is_required():
            values[name] = info.get_default(call_default_factory=True)
    return values, set(raw) & set(Scenario.model_fields)


def scenario_problems(raw: Mapping[str, Any], exc: ValidationError) -> list[tuple[str, str]]:
    """Every field error of ``exc`` and every cross-field problem of ``raw``, reported together.

    pydantic runs the cross-field checks only once every field is valid; here they run on the fields that
    are valid, so that one pass shows all problems.
    """
    errors = exc.errors()
    fields = [_field_problem(e) for e in errors if e["loc"]]
    bad = {str(e["loc"][0]) for e in errors if e["loc"]}
    values, given = _valid_values(raw, bad)
    cross = cross_field_problems(values, given)
    if not cross:  # a model-level error that the partial values cannot reproduce: keep pydantic's words
        cross = [_field_problem(e) for e in errors if not e["loc"]]
    return fields + [c for c in cross if c not in fields]


def _yaml_error(exc: yaml.YAMLError, path: Path) -> InputError:
    """The YAML parser's problem and its line and column (1-based) as an :class:`InputError`."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    start = getattr(exc, "context_mark", None)
    if context and start is not None:
        context += f" that starts at line {start.line + 1}"
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return InputError(
        f"not valid YAML{at}: {problem}" + (f" ({context})" if context else ""),
        file=path,
        rows=[f"line {mark.line + 1}"] if mark is not None else None,
        fix="fix the YAML syntax there (or just before: an unclosed bracket or quote is found later)",
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Raises
    ------
    InputError
        If the file is missing, not YAML, or a field is invalid (each problem is listed with its field).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            "scenario file not found", file=path, fix="check the path (e.g. models/us_1gw_2030.yaml)"
        )
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path) from None
    if not isinstance(raw, dict):
        raise InputError(
            "a scenario must be a YAML mapping of fields",
            file=path,
            fix="start from a shipped scenario (models/tennessee_small.yaml); see docs/scenarios.md",
        )
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        found = scenario_problems(raw, exc)
        problems = [f"{name}: {msg}" for name, msg in found]
        raise InputError(
            f"invalid scenario: {problems[0] if len(problems) == 1 else f'{len(problems)} problems'}",
            file=path,
            field=found[0][0],
            fix="see the field reference in docs/scenarios.md",
            problems=problems if len(problems) > 1 else None,
        ) from None
    scenario.source_path = path.resolve()
    return scenario
