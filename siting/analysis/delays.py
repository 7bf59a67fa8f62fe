"""Monte Carlo of interconnection delays on a solved plan: what a late grid connection costs.

Each grid connection of the plan gets a lead time sampled from its zone's distribution (lognormal from
P50 and P90 months, ``data/interconnection_delays.csv``), counted from the decision date, as the model
counts it. The connection is then energized on the later of its planned date and the sampled ready date:
**delays are floored at 0**, because everything else in the plan (construction, equipment, phases) is
scheduled for the planned date, so a grid that is ready early brings nothing. Nothing is re-optimised: the
sites, phases, on-site plant and contracts stay as planned (no reaction to the delay).

The evaluation runs on the plan's steps split at the first of every month (a late connection costs the
months it misses, not the whole quarter or year of its step; the plan's values are constant within a
step). Per sample, in each month, a site's firm supply is its planned on-site firm MW (``firm_supply_mw``
− ``grid_mw`` of ``capacity_steps.csv``) plus the grid MW of its connections energized by the month's
start (at most the planned ``grid_mw``); the IT MW it can serve is ``min(planned IT MW, firm supply /
peak PUE)`` (continuous: a phase may be partly served). The shortfall against the targets, in MW-years,
is priced at the value of lost compute (discounted, like the model's penalty, at each step's start);
``extra`` columns are the difference to the plan's own figures computed the same way, so a zero spread
gives exactly 0. Connections are sampled independently (no correlation within an ISO). All samples are
computed at once (samples × connections × months arrays); a fixed ``seed`` gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.delays import delay_distributions_by_zone
from ..errors import InputError
from ..features.timing import DAYS_PER_MONTH_AVG, years_between
from ..results.plan import BuildPlan
from ..scenario import Scenario

#: z-score of the 90th percentile of a standard normal
Z90 = 1.2815515655446004
#: IT MW below which a site counts as not (fully) online
TOL_MW = 1e-6
#: quantile rule: a P50 / P90 is one of the samples (numpy "inverted_cdf", the lower empirical quantile)
QUANTILE_METHOD = "inverted_cdf"


@dataclass
class DelayEvaluation:
    """Result of :func:`evaluate_delays`.

    Attributes
    ----------
    samples : DataFrame
        One row per sample: ``shortfall_mw_years`` (IT MW-years below target over the horizon),
        ``extra_shortfall_mw_years`` (minus the plan's), ``extra_cost_usd`` (× value of lost compute,
        undiscounted, USD of the plan's currency year), ``extra_cost_pv_usd`` (discounted to the decision
        date at the plan's discount rate, as the model's shortfall penalty), ``max_delay_months``.
    sites : DataFrame
        One row per sample and site: ``grid_energization_date`` (earliest connection), ``delay_months``,
        ``first_online_date`` (first month start with IT served), ``full_online_date`` (first month start
        serving the site's final planned IT MW); NaT = not within the horizon.
    summary : DataFrame
        Per metric (rows): ``planned``, ``mean``, ``p50``, ``p90`` of the sample columns.
    site_summary : DataFrame
        Per site: planned, P50 and P90 of each date of ``sites``; ``p_late``, the share of samples whose
        site is fully online later than planned, and ``p_grid_late``, whose grid is energized late.
    meta : dict
        ``n``, ``seed``, ``value_of_lost_compute_usd_per_mw_year``, ``discount_rate``, ``distributions``
        (per connection: zone, ISO, P50, P90).
    """

    samples: pd.DataFrame
    sites: pd.DataFrame
    summary: pd.DataFrame
    site_summary: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def evaluate_delays(
    plan: BuildPlan,
    n: int = 1000,
    seed: int | None = None,
    distributions: pd.DataFrame | None = None,
    value_of_lost_compute_usd_per_mw_year: float | None = None,
) -> DelayEvaluation:
    """Monte Carlo of the plan's grid connections' lead times (see the module docstring).

    Parameters
    ----------
    plan : BuildPlan
        A solved plan (``siting.solve`` or ``BuildPlan.load``), format 1.1.
    n : int
        Number of samples.
    seed : int, optional
        Seed of the ``numpy.random.Generator``; the same seed gives the same numbers.
    distributions : DataFrame, optional
        Indexed by ``zone_id`` with ``distribution`` (``lognormal``), ``p50_months``, ``p90_months``
        (months from the decision date to energization); default
        :func:`siting.data.delays.delay_distributions_by_zone`. P90 = P50 is a fixed lead time.
    value_of_lost_compute_usd_per_mw_year : float, optional
        USD per IT MW-year of shortfall. Default: the value the plan was solved with, recovered from its
        shortfall penalty when it has a shortfall, else the scenario default (10 M USD/MW-year).
    """
    if n < 1:
        raise ValueError(f"n must be ≥ 1, got {n}")
    arrays = _plan_arrays(plan)
    dist = distributions if distributions is not None else delay_distributions_by_zone()
    p50, p90, zone_rows = _connection_distributions(plan, dist)
    lead = sample_lead_months(p50, p90, n, seed)  # (n, C) months
    ready = _add_months(arrays["decision"], lead)
    energized = np.maximum(ready, arrays["planned_energization"][None, :])  # delays floored at 0
    volc = (
        _value_of_lost_compute(plan, arrays)
        if value_of_lost_compute_usd_per_mw_year is None
        else float(value_of_lost_compute_usd_per_mw_year)
    )
    sampled = _served(arrays, energized)
    base = _served(arrays, arrays["planned_energization"][None, :])
    samples = _sample_table(arrays, sampled, base, volc)
    samples["max_delay_months"] = (energized - arrays["planned_energization"][None, :]).astype(float).max(
        axis=1, initial=0.0
    ) / DAYS_PER_MONTH_AVG
    sites = _site_table(arrays, sampled, energized)
    planned_sites = _site_table(arrays, base, arrays["planned_energization"][None, :])
    meta = {
        "n": n,
        "seed": seed,
        "value_of_lost_compute_usd_per_mw_year": volc,
        "discount_rate": arrays["rate"],
        "distributions": zone_rows,
    }
    return DelayEvaluation(
        samples=samples,
        sites=sites,
        summary=_summary(samples, base_shortfall=float(_shortfall_mw_years(arrays, base)[0])),
        site_summary=_site_summary(sites, planned_sites),
        meta=meta,
    )


def _plan_arrays(plan: BuildPlan) -> dict[str, Any]:
    """Site × month arrays (MW; steps split at month starts) and connection vectors from the plan."""
    steps = pd.DataFrame(plan.meta["steps"])
    if steps.empty or plan.capacity_steps.empty:
        raise InputError(
            "the plan has no time steps (format 1.0?)",
            fix="solve the scenario again with this siting version",
        )
    starts = pd.to_datetime(steps["start"]).to_numpy().astype("datetime64[D]")
    cs = plan.capacity_steps.copy()
    cs["k"] = np.searchsorted(starts, pd.to_datetime(cs["step_start"]).to_numpy().astype("datetime64[D]"))
    site_ids = sorted(cs["site_id"].astype(str).unique())
    cs["site_id"] = cs["site_id"].astype(str)

    def grid(col: str) -> np.ndarray:
        table = cs.pivot_table(index="site_id", columns="k", values=col, aggfunc="sum")
        return table.reindex(index=site_ids, columns=range(len(starts))).fillna(0.0).to_numpy(dtype=float)

    it, facility, grid_mw, firm = grid("it_mw"), grid("facility_mw"), grid("grid_mw"), grid("firm_supply_mw")
    with np.errstate(divide="ignore", invalid="ignore"):
        pue = np.nanmax(np.where(it > TOL_MW, facility / it, np.nan), axis=1, initial=1.0)
    ic = plan.interconnections
    decision = dt.date.fromisoformat(plan.meta["decision_date"])
    rate = float(plan.meta.get("discount_rate", 0.0))
    step_discount = np.array(
        [(1.0 + rate) ** -years_between(decision, s) for s in pd.to_datetime(steps["start"]).dt.date]
    )
    ends = pd.to_datetime(steps["end"]).to_numpy().astype("datetime64[D]")
    sub_starts, of_step, share = _months_of_steps(starts, ends)
    return {
        "site_ids": site_ids,
        "starts": sub_starts,
        "step_years": steps["years"].to_numpy(dtype=float),
        "step_discount": step_discount,
        "years": steps["years"].to_numpy(dtype=float)[of_step] * share,
        "target": steps["target_it_mw"].to_numpy(dtype=float)[of_step],
        "discount": step_discount[of_step],
        "rate": rate,
        "decision": decision,
        "it": it[:, of_step],
        "pue": pue,
        "grid_mw": grid_mw[:, of_step],
        "onsite_firm": (firm - grid_mw)[:, of_step],
        "conn_site": np.array([site_ids.index(s) for s in ic["site_id"]], dtype=int),
        "conn_mw": ic["capacity_mw"].to_numpy(dtype=float) if len(ic) else np.zeros(0),
        "conn_site_id": ic["site_id"].astype(str).to_numpy(),
        "planned_energization": pd.to_datetime(ic["energization_date"]).to_numpy().astype("datetime64[D]"),
    }


def _months_of_steps(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split the steps ``[start, end)`` at every first of a month: the starts of the pieces, the step of
    each piece, and each piece's share of its step's days (a step's shares sum to 1)."""
    months = np.arange(np.datetime64(starts[0], "M"), np.datetime64(ends[-1], "M") + 1).astype(
        "datetime64[D]"
    )
    cuts = np.union1d(starts, months[(months > starts[0]) & (months < ends[-1])])
    of_step = np.searchsorted(starts, cuts, side="right") - 1
    piece_days = (np.append(cuts[1:], ends[-1]) - cuts).astype(float)
    step_days = (ends - starts).astype(float)[of_step]
    return cuts, of_step, piece_days / step_days


def sample_lead_months(p50: np.ndarray, p90: np.ndarray, n: int, seed: int | None = None) -> np.ndarray:
    """Lead times (months from the decision date), shape (n, C): lognormal with median ``p50`` and 90th
    percentile ``p90`` (months, one per connection; σ = ln(P90/P50) / 1.2816, P90 = P50 a fixed value),
    drawn with ``numpy.random.default_rng(seed)`` (the same seed, the same numbers)."""
    rng = np.random.default_rng(seed)
    sigma = np.log(p90 / p50) / Z90
    return p50 * np.exp(sigma * rng.standard_normal((n, len(p50))))


def lead_time_percentiles(
    zones: list[int], dist: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """P50 and P90 months of the distribution of each zone in ``zones`` and the rows of ``dist`` used.

    Raises :class:`InputError` for a zone without a row or a distribution other than lognormal."""
    missing = sorted(set(zones) - set(dist.index.astype(int)))
    if missing:
        raise InputError(
            f"no lead-time distribution for zones {missing}",
            column="zone_id",
            fix="pass distributions with a row for every zone of the plan's sites",
        )
    rows = dist.loc[zones]
    bad = ~rows["distribution"].isin(["lognormal"])
    if bad.any():
        raise InputError(
            f"unknown lead-time distribution {sorted(set(rows['distribution'][bad]))}", fix="use lognormal"
        )
    return rows["p50_months"].to_numpy(dtype=float), rows["p90_months"].to_numpy(dtype=float), rows


def _connection_distributions(plan: BuildPlan, dist: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list]:
    """P50 and P90 months of every connection (its site's zone), and a record of what was used."""
    zone_of = plan.sites.set_index("site_id")["zone"]
    zones = [int(zone_of[s]) for s in plan.interconnections["site_id"]]
    p50, p90, rows = lead_time_percentiles(zones, dist)
    records = [
        {
            "site_id": s,
            "zone_id": z,
            "iso": r.get("iso"),
            "p50_months": r["p50_months"],
            "p90_months": r["p90_months"],
        }
        for s, z, (_, r) in zip(plan.interconnections["site_id"], zones, rows.iterrows(), strict=True)
    ]
    return p50, p90, records


def _add_months(start: dt.date, months: np.ndarray) -> np.ndarray:
    """Vectorised :func:`siting.features.timing.add_months`: whole calendar months, then the fraction ×
    30.4375 days (``datetime64[D]``; exact for a start on day 1–28 of its month)."""
    whole = np.floor(months + 1e-9)
    frac = np.maximum(months - whole, 0.0)
    month0 = np.datetime64(start, "M")
    day_offset = np.datetime64(start, "D") - month0.astype("datetime64[D]")
    first = (month0 + whole.astype(np.int64)).astype("datetime64[D]")
    return first + day_offset + np.round(frac * DAYS_PER_MONTH_AVG).astype(np.int64)


def _served(a: dict[str, Any], energized: np.ndarray) -> np.ndarray:
    """IT MW servable per sample, site and month (n, J, M) with connections energized on ``energized`` (n, C)."""
    n_months, n_sites = len(a["starts"]), len(a["site_ids"])
    first_month = np.searchsorted(a["starts"], energized, side="left")  # (n, C): first month it counts in
    on = np.arange(n_months)[None, None, :] >= first_month[:, :, None]  # (n, C, M)
    member = np.zeros((len(a["conn_mw"]), n_sites))
    member[np.arange(len(a["conn_mw"])), a["conn_site"]] = 1.0
    grid = np.einsum("ncm,c,cj->njm", on, a["conn_mw"], member)
    firm = a["onsite_firm"][None] + np.minimum(a["grid_mw"][None], grid)
    return np.minimum(a["it"][None], firm / a["pue"][None, :, None])


def _shortfall_mw_years(a: dict[str, Any], served: np.ndarray) -> np.ndarray:
    return np.maximum(a["target"][None] - served.sum(axis=1), 0.0) @ a["years"]


def _sample_table(a: dict[str, Any], sampled: np.ndarray, base: np.ndarray, volc: float) -> pd.DataFrame:
    """Per-sample shortfall (MW-years), extra over the plan, and its cost (USD, undiscounted and PV)."""
    short = np.maximum(a["target"][None] - sampled.sum(axis=1), 0.0)  # (n, M)
    short0 = np.maximum(a["target"] - base[0].sum(axis=0), 0.0)
    extra = (short - short0[None]) * a["years"][None]
    return pd.DataFrame(
        {
            "sample": np.arange(len(short)),
            "shortfall_mw_years": short @ a["years"],
            "extra_shortfall_mw_years": extra.sum(axis=1),
            "extra_cost_usd": volc * extra.sum(axis=1),
            "extra_cost_pv_usd": volc * (extra @ a["discount"]),
        }
    )


def _first_month_date(a: dict[str, Any], mask: np.ndarray) -> np.ndarray:
    """Start date of the first month where ``mask`` (…, M) holds; NaT if never."""
    idx = np.where(mask.any(axis=-1), mask.argmax(axis=-1), len(a["starts"]))
    dates = np.append(a["starts"], np.datetime64("NaT", "D"))
    return dates[idx]


def _site_table(a: dict[str, Any], served: np.ndarray, energized: np.ndarray) -> pd.DataFrame:
    """Per sample × site: earliest grid energization, its delay, first and full online dates."""
    n, n_sites = served.shape[0], len(a["site_ids"])
    energized = np.broadcast_to(energized, (n, energized.shape[1]))
    days = energized.astype("datetime64[D]").astype(np.int64)
    sentinel = np.iinfo(np.int64).max
    member = a["conn_site"][None, :, None] == np.arange(n_sites)[None, None, :]  # (1, C, J)
    earliest = np.where(member, days[:, :, None], sentinel).min(axis=1, initial=sentinel)  # (n, J)
    planned = np.where(member[0], a["planned_energization"].astype(np.int64)[:, None], sentinel).min(
        axis=0, initial=sentinel
    )
    has_grid = earliest < sentinel
    final = a["it"][:, -1]
    return pd.DataFrame(
        {
            "sample": np.repeat(np.arange(n), n_sites),
            "site_id": np.tile(a["site_ids"], n),
            "grid_energization_date": np.where(has_grid, earliest, np.iinfo(np.int64).min)
            .astype("datetime64[D]")
            .ravel(),
            "delay_months": np.where(has_grid, earliest - planned[None], 0).ravel() / DAYS_PER_MONTH_AVG,
            "first_online_date": _first_month_date(a, served > TOL_MW).ravel(),
            "full_online_date": _first_month_date(
                a, served >= final[None, :, None] - 1e-6 * np.maximum(final[None, :, None], 1.0)
            ).ravel(),
        }
    )


def _quantiles(values: pd.Series) -> tuple[Any, Any]:
    """P50 and P90 (one of the samples); dates may be NaT (= after the horizon, counted as latest)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        days = values.to_numpy().astype("datetime64[D]").astype(np.int64).astype(float)
        days[values.isna().to_numpy()] = np.inf
        q = np.quantile(days, [0.5, 0.9], method=QUANTILE_METHOD)
        return tuple(pd.NaT if not np.isfinite(v) else pd.Timestamp(int(v), unit="D") for v in q)
    q = np.quantile(values.to_numpy(dtype=float), [0.5, 0.9], method=QUANTILE_METHOD)
    return float(q[0]), float(q[1])


def _summary(samples: pd.DataFrame, base_shortfall: float) -> pd.DataFrame:
    """Planned value, mean, P50 and P90 of each per-sample metric."""
    planned = {"shortfall_mw_years": base_shortfall, "max_delay_months": 0.0}
    rows = []
    for col in (
        "shortfall_mw_years",
        "extra_shortfall_mw_years",
        "extra_cost_usd",
        "extra_cost_pv_usd",
        "max_delay_months",
    ):
        p50, p90 = _quantiles(samples[col])
        rows.append(
            {
                "metric": col,
                "planned": planned.get(col, 0.0),
                "mean": float(samples[col].mean()),
                "p50": p50,
                "p90": p90,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def _site_summary(sites: pd.DataFrame, planned: pd.DataFrame) -> pd.DataFrame:
    """Per site: planned, P50, P90 of the grid energization, first and full online dates; share late."""
    rows = []
    plan_by_site = planned.set_index("site_id")
    for site, g in sites.groupby("site_id", sort=True):
        row: dict[str, Any] = {"site_id": site}
        for col in ("grid_energization_date", "first_online_date", "full_online_date"):
            stem = col.removesuffix("_date")
            row[f"{stem}_planned"] = plan_by_site.at[site, col]
            row[f"{stem}_p50"], row[f"{stem}_p90"] = _quantiles(g[col])
        full, plan_full = g["full_online_date"], plan_by_site.at[site, "full_online_date"]
        late = full.isna() if pd.isna(plan_full) else (full.isna() | (full > plan_full))
        row["p_late"] = float(late.mean())
        row["p_grid_late"] = float((g["delay_months"] > 0).mean())
        rows.append(row)
    return pd.DataFrame(rows).set_index("site_id")


def _value_of_lost_compute(plan: BuildPlan, a: dict[str, Any]) -> float:
    """USD per IT MW-year the plan was solved with: its shortfall penalty ÷ the discounted shortfall
    MW-years of its steps; the scenario default when the plan has no shortfall."""
    steps = pd.DataFrame(plan.meta["steps"])
    shortfall = steps["shortfall_it_mw"].to_numpy(dtype=float)
    weight = float((shortfall * a["step_years"] * a["step_discount"]).sum())
    penalty = float(plan.meta.get("costs_usd", {}).get("shortfall_penalty", 0.0))
    if weight > 1e-9 and penalty > 0:
        return penalty / weight
    return float(Scenario.model_fields["value_of_lost_compute_usd_per_mw_year"].default)
