"""Command line: ``siting solve SCENARIO --out DIR``, ``siting check DIR``, ``siting validate SCENARIO``."""

from __future__ import annotations

import contextlib
import math
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import api
from .analysis.delays import DelayEvaluation, evaluate_delays
from .analysis.pareto import pareto as pareto_frontier
from .analysis.robust import RobustResult, solve_robust
from .analysis.sweep import sweep as sweep_cases
from .errors import InputError, SitingError
from .model.solve import LIMIT_WORDS, SolveProgress
from .plotting import figure_writers
from .results.check import check_plan
from .results.plan import BuildPlan, check_output_dir
from .scenario import load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan where to build AI data centers and how to power them.",
)
console = Console()
#: Errors go to stderr as plain text: no console markup (``[file …]`` would be eaten as a style tag) and
#: no inserted line breaks (paths stay whole).
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
#: Table columns that hold text (they wrap); every other column holds numbers or dates and keeps its width.
TEXT_COLUMNS = ("site", "name", "substations", "cost category", "metric", "frontier", "role", "overrides")


def _fail(exc: Exception, scenario: Path | None = None) -> None:
    """Print what is wrong, where (file, column or field, rows) and the fix, then exit with code 2.

    An error that names no file (a scenario-level problem such as an infeasible combination) names the
    ``scenario`` file when given."""
    lines = exc.lines() if isinstance(exc, InputError) else str(exc).splitlines() or [type(exc).__name__]
    if scenario is not None and not getattr(exc, "file", None):
        lines.insert(1, f"  in:    scenario {scenario}")
    err_console.print(Text("error: ", style="bold red") + Text(lines[0]))
    for line in lines[1:]:
        err_console.print(Text(line))
    raise typer.Exit(code=2)


#: ``--screen-sites``: the scenario's ``solver.screen_sites`` for one run (solve, pareto, robust, sweep)
ScreenSitesOption = Annotated[
    int | None,
    typer.Option(
        min=0,
        help="keep only this many candidate sites (cost proxy and grid date) before building the model: for "
        "thousands of candidates; sites screened out are not proven worse (overrides the scenario's "
        "solver.screen_sites; 0: keep all)",
    ),
]


def solver_overrides(**fields) -> dict:
    """The ``solver`` fields given on the command line (those not None), for ``siting.solve`` and friends.

    >>> solver_overrides(time_limit_seconds=60.0, mip_gap=None, screen_sites=0)
    {'time_limit_seconds': 60.0, 'screen_sites': 0}
    """
    return {k: v for k, v in fields.items() if v is not None}


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file, e.g. models/us_1gw_2030.yaml")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="plan directory (default results/<scenario name>)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="replace the plan already in a non-empty --out directory")
    ] = False,
    time_limit: Annotated[
        float | None, typer.Option(help="HiGHS time limit in seconds (overrides the scenario)")
    ] = None,
    mip_gap: Annotated[float | None, typer.Option(help="relative MIP gap (overrides the scenario)")] = None,
    threads: Annotated[int | None, typer.Option(help="HiGHS threads (overrides the scenario)")] = None,
    screen_sites: ScreenSitesOption = None,
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="also write map.html and the PNG charts")
    ] = True,
    log: Annotated[bool, typer.Option("--log", help="stream the HiGHS log")] = False,
) -> None:
    """Solve a scenario and write its build plan directory (all files or none).

    A non-empty --out directory is replaced only with --force. Ctrl-C or SIGTERM stops the solve or the
    write without leaving a partial plan (exit code 130 or 143).
    """
    overrides = solver_overrides(
        time_limit_seconds=time_limit, mip_gap=mip_gap, threads=threads, screen_sites=screen_sites
    )
    if log:
        overrides["tee"] = True
    try:
        with _sigterm_as_interrupt():
            plan, path = _solve_and_save(scenario, out, overrides, maps, force)
    except SitingError as exc:
        _fail(exc, scenario)
    except KeyboardInterrupt as exc:
        what = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        err_console.print(
            Text(f"{what}: ", style="bold red") + Text("stopped without writing a partial plan")
        )
        raise typer.Exit(code=143 if isinstance(exc, Terminated) else 130) from None
    _print_summary(plan, path)
    _note_limit(plan)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs (no partial plan is left)."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Inside the block SIGTERM raises :class:`Terminated` in the main thread."""

    def raise_terminated(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _solve_and_save(
    scenario: Path, out: Path | None, overrides: dict, maps: bool, force: bool
) -> tuple[BuildPlan, Path]:
    """Check the output directory (before the solve, to fail fast), solve, write all files or none."""
    sc = load_scenario(scenario)
    out = out or Path("results") / sc.name
    check_output_dir(out, overwrite=force)
    with console.status(f"solving {scenario} …") as status:

        def show(p: SolveProgress) -> None:
            status.update(f"solving {scenario}: {progress_text(p)}")

        plan = api.solve(sc, progress=show, **overrides)
    with console.status(f"writing {out} …"):
        path = plan.save(out, extra_files=figure_writers(plan) if maps else None, overwrite=force)
    return plan, path


def progress_text(p: SolveProgress) -> str:
    """One status line for a running solve.

    >>> progress_text(SolveProgress("full model", 96.4, 10.316e9, 10.28e9, 0.0035, 0))
    'full model, 96 s · best 10,316 M USD · bound 10,280 M USD · gap 0.35 %'
    >>> progress_text(SolveProgress("warm start", 3.0, math.nan, math.nan, math.nan, 1200))
    'warm start, 3 s · LP iteration 1,200'
    """
    text = f"{p.stage}, {p.seconds:.0f} s"
    if math.isfinite(p.best_usd):
        text += f" · best {p.best_usd / 1e6:,.0f} M USD"
    if math.isfinite(p.bound_usd):
        text += f" · bound {p.bound_usd / 1e6:,.0f} M USD"
    if math.isfinite(p.gap):
        text += f" · gap {p.gap:.2%}".replace("%", " %")
    if not (math.isfinite(p.best_usd) or math.isfinite(p.bound_usd)):
        text += f" · LP iteration {p.lp_iterations:,}"
    return text


def _note_limit(plan: BuildPlan) -> None:
    """Say so when HiGHS stopped at a limit: the plan is the best found, not proven within the gap."""
    m = plan.meta
    if m["status"] != "feasible":
        return
    limit = LIMIT_WORDS.get(m.get("termination", ""), f"a limit ({m.get('termination')})")
    gap = m.get("mip_gap")
    gap = f"{gap:.2%}" if isinstance(gap, float) and gap == gap else "unknown"  # NaN: no bound
    console.print(
        f"[bold yellow]note:[/] HiGHS stopped at {limit}: this is the best plan found, its cost within "
        f"{gap} of the best bound (status feasible). Raise --time-limit for a better or proven plan."
    )


def _num_table(headers: tuple[str, ...], rows: list[tuple[str, ...]], caption: str | None = None) -> Table:
    """A compact table whose numbers never truncate, even at 80 columns.

    Number and date columns are at least as wide as their widest cell; only the text columns
    (:data:`TEXT_COLUMNS`) wrap; any cell too long for the terminal folds onto the next line instead of
    ending in an ellipsis. Cells are plain text (no console markup).
    """
    table = Table(
        box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False, show_edge=False, caption=caption
    )
    for i, h in enumerate(headers):
        text = h in TEXT_COLUMNS
        widest = max((len(r[i]) for r in rows), default=0)
        table.add_column(
            h,
            overflow="fold",
            min_width=None if text else widest,
            justify="left" if text or h in ("date", "year") else "right",
        )
    for r in rows:
        table.add_row(*(Text(c) for c in r))
    return table


def _print_summary(plan, path: Path) -> None:
    m = plan.meta
    console.print(
        f"[bold]{escape(m['scenario'])}[/]: status [bold]{m['status']}[/], objective {m['objective_usd'] / 1e9:,.3f} B USD "
        f"(PV, {m['currency_year']} USD), MIP gap {m['mip_gap']:.4%}, solve {m['solve_seconds']:.1f} s"
    )
    steps = {s["start"]: s for s in m.get("steps", [])}
    if m.get("target_dates_it_mw"):
        dated = [
            (
                f"by {date}",
                f"{mw:,.0f}",
                f"{steps.get(date, {}).get('it_mw_online', 0.0):,.0f}",
                f"{steps.get(date, {}).get('shortfall_it_mw', 0.0):,.0f}",
            )
            for date, mw in m["target_dates_it_mw"].items()
        ]
        console.print(_num_table(("date", "target MW", "online MW", "short MW"), dated))
    yearly = [
        (
            str(year),
            f"{r.target_it_mw:,.0f}",
            f"{r.it_mw_online:,.0f}",
            f"{r.shortfall_it_mw:,.0f}",
            str(int(r.sites_online)),
            f"{r.grid_mw:,.0f}",
            f"{r.onsite_mw:,.0f}",
            f"{r.emissions_tco2 / 1e3:,.0f}",
        )
        for year, r in plan.summary().iterrows()
    ]
    headers = ("year", "target", "online", "short", "sites", "grid", "on-site", "ktCO2")
    caption = "IT MW on 1 January (target, online, short); supply MW (grid, on-site); kt CO2 in the year"
    console.print(_num_table(headers, yearly, caption))
    share = m.get("energy_share")
    if share:
        console.print(
            f"energy over the horizon: grid {share['grid']:.0%}, PPA-matched grid {share['ppa']:.0%}, "
            f"on-site {share['onsite']:.0%}"
        )
    clean_and_water = clean_and_water_text(m)
    if clean_and_water:
        console.print(clean_and_water)
    sites = plan.sites
    if len(sites):
        rows = [
            (
                str(r.site_id),
                str(r.name),
                f"{r.it_mw:,.0f}",
                str(getattr(r, "first_online_date", None) or r.first_online_year),
                str((getattr(r, "substation_ids", None) or r.substation_id) or "on-site only"),
            )
            for r in sites.sort_values("it_mw", ascending=False).itertuples()
        ]
        console.print(_num_table(("site", "name", "IT MW", "first online", "substations"), rows))
    costs = [(k, f"{v / 1e6:,.1f}") for k, v in m["costs_usd"].items()]
    console.print(_num_table(("cost category", "PV (M USD)"), costs))
    _print_notes(m.get("notes", []))
    console.print(Text("plan written to ") + Text(str(path), style="bold"), soft_wrap=True)


def clean_and_water_text(meta: dict) -> str:
    """One line on the last year's carbon-free energy and water (empty when the plan has neither section).

    >>> clean_and_water_text({"clean_energy": {"matching": "hourly", "target_fraction": 0.8, "by_year": {
    ...     "2032": {"cfe_hourly_fraction": 0.8, "cfe_annual_fraction": 0.807}}},
    ...     "water": {"total_m3": {"2032": 0.0}, "cap_m3_per_year_per_site": 250000.0}})
    'clean energy in 2032 (hourly target 80 %): hourly 80 %, annual 81 % · water in 2032: 0 m3 (cap 250,000 m3 per site)'
    """
    parts = []
    ce = meta.get("clean_energy") or {}
    if ce.get("by_year"):
        year = max(ce["by_year"])
        v = ce["by_year"][year]
        target = ce.get("target_fraction")
        head = f"clean energy in {year}"
        if target is not None:
            head += f" ({ce['matching']} target {target:.0%})"
        hourly = v["cfe_hourly_fraction"]
        text = f"{head}: hourly {'–' if hourly is None else f'{hourly:.0%}'}, annual {v['cfe_annual_fraction']:.0%}"
        parts.append(text.replace("%", " %"))
    water = meta.get("water") or {}
    if water.get("total_m3"):
        year = max(water["total_m3"])
        text = f"water in {year}: {water['total_m3'][year]:,.0f} m3"
        if water.get("cap_m3_per_year_per_site") is not None:
            text += f" (cap {water['cap_m3_per_year_per_site']:,.0f} m3 per site)"
        parts.append(text)
    return " · ".join(parts)


def _print_notes(notes: list[str]) -> None:
    for n in notes:
        console.print(Text("note: ", style="bold yellow") + Text(n), soft_wrap=True)


@app.command()
def check(
    plan_dir: Annotated[Path, typer.Argument(help="a plan directory written by `siting solve`")],
) -> None:
    """Check a plan directory against the plan-format invariants (reads only the plan files)."""
    problems = check_plan(plan_dir)
    if problems:
        for p in problems:
            console.print(Text("✗ ", style="red") + Text(str(p)))
        raise typer.Exit(code=1)
    console.print(Text("✓ ", style="green") + Text(f"{plan_dir}: all plan-format invariants hold"))


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario YAML file")]) -> None:
    """Run every check `solve` runs, without solving: scenario, data layers, model inputs, and an upper
    bound on the IT MW deliverable by each target date with the earliest feasible date."""
    try:
        report = api.validate(scenario)
    except SitingError as exc:
        _fail(exc, scenario)
    sc, ds, d = report.scenario, report.dataset, report.inputs
    console.print(
        Text("✓ ", style="green")
        + Text(
            f"{sc.name}: scenario and data valid; {len(d.sites)} of {len(ds.candidate_sites)} candidate sites "
            f"usable, {len(ds.substations):,} substations, {len(ds.zones)} zones; horizon "
            f"{sc.horizon.first_year}–{sc.horizon.last_year}, {len(d.steps)} time steps"
        ),
        soft_wrap=True,
    )
    rows = [
        (date, f"{r.target_it_mw:,.0f}", f"{r.deliverable_it_mw:,.0f}", r.earliest_date or "not in horizon")
        for date, r in report.targets.iterrows()
    ]
    caption = "max MW: upper bound (lead times, sizes)"
    console.print(_num_table(("date", "target MW", "max MW", "earliest"), rows, caption))
    _print_notes(report.notes)


@app.command()
def delays(
    plan_dir: Annotated[Path, typer.Argument(help="a plan directory written by `siting solve`")],
    samples: Annotated[int, typer.Option("--samples", "-n", min=1, help="Monte Carlo samples")] = 1000,
    seed: Annotated[int | None, typer.Option(help="random seed (same seed, same numbers)")] = None,
    value_of_lost_compute: Annotated[
        float | None,
        typer.Option(help="USD per IT MW-year of shortfall (default: the value the plan was solved with)"),
    ] = None,
) -> None:
    """Monte Carlo of the plan's grid-connection lead times: shortfall, its cost, and P50/P90 dates."""
    try:
        plan = BuildPlan.load(plan_dir)
        result = evaluate_delays(
            plan, n=samples, seed=seed, value_of_lost_compute_usd_per_mw_year=value_of_lost_compute
        )
    except (SitingError, OSError, KeyError) as exc:
        _fail(exc)
    _print_delays(plan, result)


def _date(value) -> str:
    return "after horizon" if value is None or value != value else str(value)[:10]  # NaT != NaT


def _print_delays(plan: BuildPlan, result: DelayEvaluation) -> None:
    m = result.meta
    console.print(
        Text(
            f"{plan.meta['scenario']}: {m['n']:,} samples, seed {m['seed']}; grid lead times lognormal per zone "
            f"(data/interconnection_delays.csv), delays floored at 0; value of lost compute "
            f"{m['value_of_lost_compute_usd_per_mw_year'] / 1e6:,.2f} M USD per MW-year"
        ),
        soft_wrap=True,
    )
    labels = {
        "shortfall_mw_years": ("shortfall (MW-years)", 1.0),
        "extra_shortfall_mw_years": ("extra shortfall (MW-years)", 1.0),
        "extra_cost_usd": ("extra cost (M USD)", 1e6),
        "extra_cost_pv_usd": ("extra cost, PV (M USD)", 1e6),
        "max_delay_months": ("largest delay (months)", 1.0),
    }
    rows = [
        (label, *(f"{r[c] / scale:,.1f}" for c in ("planned", "mean", "p50", "p90")))
        for key, r in result.summary.iterrows()
        for label, scale in [labels[key]]
    ]
    console.print(_num_table(("metric", "planned", "mean", "P50", "P90"), rows))
    for stem, late, title in (
        ("grid_energization", "p_grid_late", "grid energization (earliest connection)"),
        ("full_online", "p_late", "all planned IT MW served"),
    ):
        rows = [
            (str(site), *(_date(r[f"{stem}_{q}"]) for q in ("planned", "p50", "p90")), f"{r[late]:.0%}")
            for site, r in result.site_summary.iterrows()
        ]
        console.print(_num_table(("site", "planned", "P50", "P90", "P(later)"), rows, title))


@app.command()
def pareto(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file, e.g. models/tennessee_small.yaml")],
    points: Annotated[
        int, typer.Option("--points", "-n", min=2, help="points per frontier, anchors included")
    ] = 5,
    objectives: Annotated[
        str, typer.Option(help="comma-separated, primary first: cost, time_to_power, carbon")
    ] = "cost,time_to_power,carbon",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="output directory (default results/<scenario>-pareto)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="replace an earlier frontier in --out")
    ] = False,
    time_limit: Annotated[float | None, typer.Option(help="HiGHS time limit per solve, seconds")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="relative MIP gap (overrides the scenario)")] = None,
    screen_sites: ScreenSitesOption = None,
) -> None:
    """Cost–time–carbon frontier (epsilon constraint): a plan directory per point in OUT/points/<k>/,
    OUT/frontier.csv and OUT/frontier.png (docs/tradeoffs.md)."""
    overrides = solver_overrides(time_limit_seconds=time_limit, mip_gap=mip_gap, screen_sites=screen_sites)
    try:
        sc = load_scenario(scenario)
        out = out or Path("results") / f"{sc.name}-pareto"
        names = [o.strip() for o in objectives.split(",") if o.strip()]
        with _sigterm_as_interrupt(), console.status(f"solving the frontier of {scenario} …") as status:

            def show(p: SolveProgress) -> None:
                status.update(f"frontier of {scenario}, {progress_text(p)}")

            table = pareto_frontier(sc, names, points, out=out, overwrite=force, progress=show, **overrides)
    except SitingError as exc:
        _fail(exc, scenario)
    except KeyboardInterrupt:
        err_console.print(Text("interrupted: ", style="bold red") + Text("points saved so far are complete"))
        raise typer.Exit(code=130) from None
    rows = [
        (
            str(r.point),
            str(r.frontier).split("–")[-1].replace("time_to_power", "time"),
            str(r.role).replace("time_to_power", "time"),
            f"{r.cost_usd / 1e6:,.1f}",
            f"{r.time_to_power_mw_yr:,.1f}",
            f"{r.carbon_tco2 / 1e3:,.0f}",
            r.status,
            "yes" if r.dominated else "",
        )
        for r in table.itertuples()
    ]
    headers = ("point", "cost vs", "role", "cost M USD", "late MW·yr", "ktCO2", "status", "dominated")
    caption = "cost: PV without the shortfall penalty; late (time to power): IT MW-years short of targets"
    console.print(_num_table(headers, rows, caption))
    console.print(Text("frontier written to ") + Text(str(out), style="bold"), soft_wrap=True)


@app.command()
def robust(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file, e.g. models/tennessee_small.yaml")],
    scenarios: Annotated[
        int, typer.Option("--scenarios", "-k", min=1, help="K sampled interconnection-delay scenarios")
    ] = 10,
    seed: Annotated[int, typer.Option(help="seed of the scenarios (the evaluation uses seed + 1)")] = 0,
    eval_samples: Annotated[
        int, typer.Option("--eval-samples", min=1, help="Monte Carlo samples scoring both plans")
    ] = 1000,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="output directory (default results/<scenario>-robust)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="replace an earlier result in --out")] = False,
    time_limit: Annotated[float | None, typer.Option(help="HiGHS time limit per solve, seconds")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="relative MIP gap (overrides the scenario)")] = None,
    screen_sites: ScreenSitesOption = None,
) -> None:
    """Two-stage plan against K sampled grid delays (sample average approximation): OUT/plan/ (hedged),
    OUT/nominal/, OUT/comparison.csv and OUT/lead_times.csv (docs/robust.md)."""
    overrides = solver_overrides(time_limit_seconds=time_limit, mip_gap=mip_gap, screen_sites=screen_sites)
    try:
        sc = load_scenario(scenario)
        out = out or Path("results") / f"{sc.name}-robust"
        with (
            _sigterm_as_interrupt(),
            console.status(f"solving {scenarios} delay scenarios of {scenario} …") as status,
        ):

            def show(p: SolveProgress) -> None:
                status.update(f"{scenario}, {progress_text(p)}")

            result = solve_robust(
                sc,
                scenarios,
                seed,
                eval_samples=eval_samples,
                out=out,
                overwrite=force,
                progress=show,
                **overrides,
            )
    except SitingError as exc:
        _fail(exc, scenario)
    except KeyboardInterrupt:
        err_console.print(Text("interrupted: ", style="bold red") + Text("nothing was written"))
        raise typer.Exit(code=130) from None
    _print_robust(result, out)


def _m(x: float) -> str:
    """One decimal, thousands separated, rounding noise shown as 0.0 (not -0.0)."""
    return f"{round(float(x), 6) + 0.0:,.1f}"


def _print_robust(result: RobustResult, out: Path) -> None:
    """The comparison table (M USD PV, MW-years), then the hedge's cost and what it buys."""
    labels = {
        "planned_cost_usd": ("planned cost (M USD)", 1e6),
        "planned_shortfall_mw_years": ("planned shortfall (MW-years)", 1.0),
        "mean_shortfall_mw_years": ("shortfall, mean (MW-years)", 1.0),
        "p90_shortfall_mw_years": ("shortfall, P90 (MW-years)", 1.0),
        "mean_extra_shortfall_mw_years": ("extra shortfall, mean (MW-years)", 1.0),
        "p90_extra_shortfall_mw_years": ("extra shortfall, P90 (MW-years)", 1.0),
        "mean_extra_cost_pv_usd": ("extra cost, mean (M USD)", 1e6),
        "p90_extra_cost_pv_usd": ("extra cost, P90 (M USD)", 1e6),
        "expected_cost_usd": ("expected cost (M USD)", 1e6),
    }
    rows = [
        (label, *(_m(r[c] / scale) for c in ("nominal", "hedged", "change")))
        for key, r in result.comparison.iterrows()
        for label, scale in [labels[key]]
    ]
    m = result.meta
    caption = (
        f"{m['n_scenarios']} scenarios (seed {m['seed']}), SAA {m['status']}; both plans scored on "
        f"{m['eval_samples']:,} samples (seed {m['eval_seed']}); costs PV"
    )
    console.print(_num_table(("metric", "nominal", "hedged", "change"), rows, caption))
    buys = m["buys"]
    console.print(
        Text(
            f"hedge cost {_m(m['hedge_cost_usd'] / 1e6)} M USD; it buys "
            f"{_m(buys['mean_extra_cost_pv_usd'] / 1e6)} M USD of mean and "
            f"{_m(buys['p90_extra_cost_pv_usd'] / 1e6)} M USD of P90 extra cost, "
            f"{_m(buys['mean_shortfall_mw_years'])} MW-years of mean shortfall"
        ),
        soft_wrap=True,
    )
    console.print(Text("written to ") + Text(str(out), style="bold"), soft_wrap=True)


@app.command()
def sweep(
    base: Annotated[Path, typer.Argument(help="base scenario YAML file, e.g. models/tennessee_small.yaml")],
    variations: Annotated[
        Path,
        typer.Argument(help="YAML: a list of override mappings, or a mapping of lists (Cartesian product)"),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="sweep directory (sweep.csv, cases/<case id>/)")],
    scheduler: Annotated[
        str | None, typer.Option(help="address of a running Dask scheduler, e.g. tcp://scheduler:8786")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="worker processes of the local cluster (default: CPU count)")
    ] = None,
    serial: Annotated[bool, typer.Option("--serial", help="no Dask: one case after the other")] = False,
    time_limit: Annotated[float | None, typer.Option(help="HiGHS time limit per case, seconds")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="relative MIP gap (overrides the scenario)")] = None,
    screen_sites: ScreenSitesOption = None,
) -> None:
    """Solve every variation of a scenario on Dask (a local cluster, or --scheduler), streaming one row per
    case into OUT/sweep.csv; a rerun with the same --out skips the finished cases."""
    overrides = solver_overrides(time_limit_seconds=time_limit, mip_gap=mip_gap, screen_sites=screen_sites)
    client = "serial" if serial else scheduler
    try:
        with _sigterm_as_interrupt():
            table = sweep_cases(base, variations, client, out, workers=workers, progress=True, **overrides)
    except SitingError as exc:
        _fail(exc, base)
    except KeyboardInterrupt as exc:
        what = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        err_console.print(
            Text(f"{what}: ", style="bold red")
            + Text(f"the finished cases are in {out / 'sweep.csv'}; run the same command again to continue")
        )
        raise typer.Exit(code=143 if isinstance(exc, Terminated) else 130) from None
    _print_sweep(table, out)


def _print_sweep(table, out: Path) -> None:
    """One line per case: its overrides, status, objective, gap, shortfall and energy shares; then errors."""

    def fmt(value, spec: str) -> str:
        return "" if value is None or value != value else format(value, spec)  # NaN: no plan

    keys = list(table.columns[1 : table.columns.get_loc("status")])
    rows = [
        (
            str(r["case_id"]),
            " ".join(f"{k.rsplit('.', 1)[-1]}={r[k]}" for k in keys if r[k] == r[k]),
            str(r["status"]),
            fmt(r["objective_usd"] / 1e9, ",.4f"),
            fmt(r["mip_gap"], ".2%"),
            fmt(r["shortfall_it_mw_years"], ",.1f"),
            fmt(r["energy_grid"] + r["energy_ppa"], ".0%"),
            fmt(r["energy_onsite"], ".0%"),
        )
        for _, r in table.iterrows()
    ]
    headers = ("case", "overrides", "status", "B USD", "gap", "short MW·yr", "grid", "on-site")
    console.print(_num_table(headers, rows, "objective: PV; energy: shares of the facility energy"))
    for _, r in table[~table["status"].isin(["optimal", "feasible"])].iterrows():
        console.print(Text(f"{r['status']} in case {r['case_id']}: ", style="bold red") + Text(r["message"]))
    console.print(Text("sweep table: ") + Text(str(out / "sweep.csv"), style="bold"), soft_wrap=True)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
