"""Solve every shipped scenario and print status, objective, gap, timings and model size as a table.

Usage: ``python benchmarks/bench_scenarios.py [models/*.yaml ...]`` (a benchmark, not a test).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import siting


def main(paths: list[str]) -> None:
    models = [Path(p) for p in paths] or sorted(Path("models").glob("*.yaml"))
    print(
        "| scenario | status | objective (B USD PV) | MIP gap | load / build / solve (warm start) / total (s) "
        "| variables / integer / constraints / nonzeros | energy grid / PPA-matched / on-site "
        "| CFE last year: hourly / annual |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for path in models:
        t0 = time.perf_counter()
        plan = siting.solve(path)
        m = plan.meta
        t = m["timings_seconds"]
        size = m["model_size"]
        share = m["energy_share"]
        print(
            f"| {m['scenario']} | {m['status']} | {m['objective_usd'] / 1e9:.3f} | {m['mip_gap']:.4%} | "
            f"{t['load_seconds']:.1f} / {t['build_seconds']:.1f} / {t['solve_seconds']:.1f} "
            f"({t.get('warm_start_seconds', 0.0):.1f}) / "
            f"{time.perf_counter() - t0:.1f} | {size['variables']:,} / {size['integer_variables']:,} / "
            f"{size['constraints']:,} / {size['nonzeros']:,} | "
            f"{share['grid']:.0%} / {share['ppa']:.0%} / {share['onsite']:.0%} | {_cfe(m)} |",
            flush=True,
        )


def _cfe(meta: dict) -> str:
    """Hourly / annual CFE fraction of the last year with consumption (``–`` hourly under monthly resolution)."""
    by_year = meta.get("clean_energy", {}).get("by_year", {})
    if not by_year:
        return "– / –"
    last = by_year[max(by_year)]
    hourly = last["cfe_hourly_fraction"]
    return f"{'–' if hourly is None else f'{hourly:.0%}'} / {last['cfe_annual_fraction']:.0%}"


if __name__ == "__main__":
    main(sys.argv[1:])
