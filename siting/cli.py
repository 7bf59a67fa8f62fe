"""Command line: ``siting solve SCENARIO --out DIR``, ``siting check DIR``, ``siting validate SCENARIO``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .errors import SitingError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan where to build AI data centers and how to power them.",
)
console = Console()


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(code=2)


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file, e.g. models/us_1gw_2030.yaml")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="plan directory (default results/<scenario name>)")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option(help="HiGHS time limit in seconds (overrides the scenario)")
    ] = None,
    mip_gap: Annotated[float | None, typer.Option(help="relative MIP gap (overrides the scenario)")] = None,
    threads: Annotated[int | None, typer.Option(help="HiGHS threads (overrides the scenario)")] = None,
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="also write map.html and the PNG charts")
    ] = True,
    log: Annotated[bool, typer.Option("--log", help="stream the HiGHS log")] = False,
) -> None:
    """Solve a scenario and write its build plan directory (all files or none)."""
    from . import api

    overrides = {
        k: v
        for k, v in {"time_limit_seconds": time_limit, "mip_gap": mip_gap, "threads": threads}.items()
        if v is not None
    }
    if log:
        overrides["tee"] = True
    try:
        with console.status(f"solving {scenario} …"):
            plan = api.solve(scenario, **overrides)
        out = out or Path("results") / plan.meta["scenario"]
        extra = _figures(plan) if maps else {}
        path = plan.save(out, extra_files=extra)
    except SitingError as exc:
        _fail(exc)
    _print_summary(plan, path)


def _figures(plan) -> dict:
    try:
        from .plotting import figure_writers
    except ImportError:  # plotting extras missing
        return {}
    return figure_writers(plan)


def _num_table(*headers: str) -> Table:
    """A table whose numeric columns never truncate (short headers, no wrapping)."""
    table = Table()
    for h in headers:
        table.add_column(
            h, no_wrap=True, justify="left" if h in ("site", "name", "date", "year") else "right"
        )
    return table


def _print_summary(plan, path: Path) -> None:
    m = plan.meta
    console.print(
        f"[bold]{m['scenario']}[/]: status [bold]{m['status']}[/], objective {m['objective_usd'] / 1e9:,.3f} B USD "
        f"(PV, {m['currency_year']} USD), MIP gap {m['mip_gap']:.4%}, solve {m['solve_seconds']:.1f} s"
    )
    steps = {s["start"]: s for s in m.get("steps", [])}
    if m.get("target_dates_it_mw"):
        dated = _num_table("date", "target MW", "online MW", "short MW")
        for date, mw in m["target_dates_it_mw"].items():
            s = steps.get(date, {})
            dated.add_row(
                f"by {date}",
                f"{mw:,.0f}",
                f"{s.get('it_mw_online', 0.0):,.0f}",
                f"{s.get('shortfall_it_mw', 0.0):,.0f}",
            )
        console.print(dated)
    table = _num_table("year", "target", "online", "short", "sites", "grid", "on-site", "ktCO2")
    for year, r in plan.summary().iterrows():
        table.add_row(
            str(year),
            f"{r.target_it_mw:,.0f}",
            f"{r.it_mw_online:,.0f}",
            f"{r.shortfall_it_mw:,.0f}",
            str(int(r.sites_online)),
            f"{r.grid_mw:,.0f}",
            f"{r.onsite_mw:,.0f}",
            f"{r.emissions_tco2 / 1e3:,.0f}",
        )
    table.caption = (
        "IT MW on 1 January (target, online, short); supply MW (grid, on-site); kt CO2 in the year"
    )
    console.print(table)
    share = m.get("energy_share")
    if share:
        console.print(
            f"energy over the horizon: grid {share['grid']:.0%}, PPA-matched grid {share['ppa']:.0%}, "
            f"on-site {share['onsite']:.0%}"
        )
    sites = plan.sites
    if len(sites):
        st = _num_table("site", "name", "IT MW", "first online", "substations")
        for r in sites.sort_values("it_mw", ascending=False).itertuples():
            first = getattr(r, "first_online_date", None) or r.first_online_year
            subs = getattr(r, "substation_ids", None) or r.substation_id
            st.add_row(r.site_id, r.name, f"{r.it_mw:,.0f}", str(first), str(subs or "on-site only"))
        console.print(st)
    costs = _num_table("cost category", "PV (M USD)")
    for k, v in m["costs_usd"].items():
        costs.add_row(k, f"{v / 1e6:,.1f}")
    console.print(costs)
    console.print(f"plan written to [bold]{path}[/]")


@app.command()
def check(
    plan_dir: Annotated[Path, typer.Argument(help="a plan directory written by `siting solve`")],
) -> None:
    """Check a plan directory against the plan-format invariants (reads only the plan files)."""
    from .results.check import check_plan

    problems = check_plan(plan_dir)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/] {p}")
        raise typer.Exit(code=1)
    console.print(f"[green]✓[/] {plan_dir}: all plan-format invariants hold")


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario YAML file")]) -> None:
    """Validate a scenario file and the data layers it uses, without solving."""
    from .data.load import load_dataset
    from .scenario import load_scenario

    try:
        sc = load_scenario(scenario)
        ds = load_dataset(sc)
    except SitingError as exc:
        _fail(exc)
    console.print(
        f"[green]✓[/] {sc.name}: {len(ds.candidate_sites)} candidate sites, {len(ds.substations)} substations, "
        f"{len(ds.zones)} zones; horizon {sc.horizon.first_year}–{sc.horizon.last_year}"
    )


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
