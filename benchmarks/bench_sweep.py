"""Sweep speed-up: the same cases serially in this process and on a 2-worker dask LocalCluster.

Usage::

    python benchmarks/bench_sweep.py                 # 6 gas prices of models/tennessee_small.yaml
    python benchmarks/bench_sweep.py --workers 2 --prices 2 3 4 6 8 10

Prints the wall time of the serial loop (``client="serial"``), of the cluster run including its start (new
worker processes import siting), of a second cluster run on warm workers, the speed-ups, and checks that
both give the same objectives (1e-9 relative). Each case loads its data, builds and solves its model
(HiGHS, one thread). The load average is printed: the figures are only as quiet as the machine.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from pathlib import Path

import numpy as np

import siting
from siting.analysis.sweep import connect

BASE = Path(__file__).resolve().parents[1] / "models" / "tennessee_small.yaml"


def _import_siting() -> str:
    return importlib.import_module("siting").__name__


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--prices", type=float, nargs="+", default=[2, 3, 4, 6, 8, 10], help="USD/MMBtu")
    args = parser.parse_args()
    cases = {"overrides.gas_price_usd_per_mmbtu": args.prices}
    print(
        f"{len(args.prices)} cases of {BASE.name} (gas price USD/MMBtu {args.prices}); cpus {os.cpu_count()}"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    serial, t_serial = _timed(lambda: siting.sweep(BASE, cases, client="serial"))
    # the default: a new LocalCluster (worker processes import siting on their first task), closed after
    par, t_cold = _timed(lambda: siting.sweep(BASE, cases, workers=args.workers))
    with connect(None, args.workers) as client:  # the sweep's own LocalCluster, kept open here
        client.run(_import_siting)  # warm workers: siting already imported
        warm, t_warm = _timed(lambda: siting.sweep(BASE, cases, client=client))
    for name, table in (("cold", par), ("warm", warm)):
        same = np.allclose(table["objective_usd"], serial["objective_usd"], rtol=1e-9, atol=0)
        assert same and (table["status"] == serial["status"]).all(), f"{name} cluster run differs from serial"

    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    means = ", ".join(
        f"{n} {t['case_seconds'].mean():.2f} s"
        for n, t in (("serial", serial), ("cold", par), ("warm", warm))
    )
    print(f"mean wall time of one case (load, build, solve, extract): {means}")
    print(f"serial loop:                              {t_serial:7.1f} s")
    print(
        f"{args.workers}-worker LocalCluster, incl. start-up:   {t_cold:7.1f} s  speed-up {t_serial / t_cold:.2f}×"
    )
    print(
        f"{args.workers}-worker LocalCluster, warm workers:     {t_warm:7.1f} s  speed-up {t_serial / t_warm:.2f}×"
    )
    print("objectives equal to the serial run within 1e-9 (relative):")
    print(
        serial[["case_id", "overrides.gas_price_usd_per_mmbtu", "status", "objective_usd"]].to_string(
            index=False
        )
    )


if __name__ == "__main__":
    main()
