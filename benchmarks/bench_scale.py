"""Scale benchmark (not a test): the full model on 100 / 1,000 / 10,000 candidate sites over the contiguous US.

Each size gets its own case (``scale_sites.py``: sites drawn uniformly over the contiguous US and passed
through the package's candidate generator, and ``models/us_1gw_2030.yaml`` over 10 years, 2027–2036, at the
default monthly time resolution) and runs in a fresh subprocess under a hard address-space cap
(``resource.setrlimit(RLIMIT_AS)``, 8 GiB by default) so that the machine survives. The subprocess measures:

* **load s** — :func:`siting.data.load.load_dataset` (scenario, every layer, the sites' CSV);
* **build s** — :func:`siting.model.prepare.prepare_inputs`, the screen of ``solver.screen_sites`` when
  ``--screen N`` sets it (:func:`siting.api.screen`: **model sites** are the sites the model then holds)
  and :func:`siting.model.build.build_model`;
* **hand-off s** — Pyomo → HiGHS, the two steps of :func:`siting.model.solve.solve_model`, timed apart:
  ``LinearStandardFormCompiler().write`` (**compile s**) and ``siting.model.solve._highs_model`` (arrays +
  ``Highs.passModel``, **pass s**);
* **solve s** — as :func:`siting.model.solve.solve_model` does it for ``siting.solve``: the warm-start pass
  over the scenario's short list of sites (**warm start s**, part of the solve), then ``Highs.run`` with
  the scenario's solver settings (seed, one thread, MIP gap, heuristic effort) within the benchmark's time
  limit in all; **gap** and **status** as HiGHS reports them (``no bound``: HiGHS
  had no finite dual bound when it stopped), **nodes** the branch-and-bound nodes (0: stopped at the root);
* **MPS read s** — after ``passModel`` the model is written with ``Highs.writeModel`` to an MPS file, and
  after the solve a fresh ``highspy.Highs().readModel`` of that file is timed; **ratio** = (build +
  hand-off) / MPS read;

and the parent reads each subprocess's peak resident memory from its own ``rusage`` (``os.wait4``: the
``RUSAGE_CHILDREN`` ``ru_maxrss`` of that one child). A size that exhausts the memory cap is reported as
``out of memory`` (with the stage it reached), one that exceeds the wall-clock cap per size as ``time
limit``; the benchmark goes on with the next size. Then it prints the table (markdown), writes it to a CSV
and prints the log-log slopes of build, hand-off, solve time and memory between consecutive sizes (time ∝
N^slope), and, for larger sizes that were not built, model size, build, hand-off and memory on the straight
lines through the two largest built sizes (the model grows linearly with the candidates).
``--from-csv FILE`` prints the table and growth rates of an earlier run again.

Timings depend on the load of the machine: on a shared machine, rerun before comparing.

Run::

    python benchmarks/bench_scale.py [--sizes 100,1000,10000] [--time-limit 600] [--memory-gib 8]
                                     [--wall-limit S] [--seed 0] [--screen N] [--csv results/bench_scale.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import highspy
import yaml
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_sites import load_layers, write_scale_case  # noqa: E402

from siting.api import screen  # noqa: E402  (solve's screen of large candidate sets)
from siting.data.load import load_dataset  # noqa: E402
from siting.model.build import build_model  # noqa: E402
from siting.model.prepare import prepare_inputs  # noqa: E402
from siting.model.screen import warm_start_sites  # noqa: E402
from siting.model.solve import WARM_START_TIME_SHARE, _highs_model, _warm_start  # noqa: E402  (solve_model's steps)
from siting.scenario import load_scenario  # noqa: E402

GIB = 1024**3
#: Columns of the table and the CSV, in order.
COLUMNS = (
    "candidates",
    "model_sites",
    "status",
    "variables",
    "integer_variables",
    "constraints",
    "nonzeros",
    "load_s",
    "build_s",
    "compile_s",
    "pass_s",
    "handoff_s",
    "solve_s",
    "warm_start_s",
    "gap",
    "nodes",
    "objective_usd",
    "mps_read_s",
    "ratio",
    "peak_gib",
    "stage",
)
#: Stages of one size, in order (the last one reached is reported when a size stops early).
STAGES = ("load", "prepare", "build_model", "compile", "pass", "write_mps", "solve", "read_mps", "done")


# --------------------------------------------------------------------------------------------------------
# the child: one size, in its own process


def _save(result: dict, path: Path) -> None:
    """Write the results so far (atomic replace), so that a killed child leaves what it had measured."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(path)


def _solve_options(scenario, time_limit_seconds: float) -> dict:
    """The HiGHS options :func:`siting.model.solve.solve_model` sets, from the scenario's solver section."""
    s = scenario.solver
    return {
        "output_flag": False,
        "time_limit": float(time_limit_seconds),
        "mip_rel_gap": float(s.mip_gap),
        "threads": int(s.threads),
        "random_seed": int(s.seed),
        "mip_abs_gap": 1.0,
        "mip_heuristic_effort": float(s.heuristic_effort),
    }


def _highs_outcome(h) -> dict:
    """Status, branch-and-bound nodes, gap (–; inf without a finite bound) and objective (USD) of a
    finished HiGHS run."""
    info = h.getInfo()
    name = h.getModelStatus().name
    has_solution = info.primal_solution_status == 2
    status = {"kOptimal": "optimal", "kTimeLimit": "time limit"}.get(name, name)
    if status == "time limit" and not has_solution:
        status = "time limit (no plan)"
    return {
        "status": status,
        "nodes": int(info.mip_node_count),
        "gap": float(info.mip_gap) if has_solution else math.nan,
        "objective_usd": float(info.objective_function_value) if has_solution else math.nan,
    }


def _warm_start_pass(h, form, model, inputs, scenario, time_limit_seconds: float) -> float:
    """The warm start of :func:`siting.model.solve.solve_model` (as ``siting.solve`` asks for it): solve
    with the sites off the scenario's short list (``solver.warm_start_sites``) closed, for at most
    ``WARM_START_TIME_SHARE`` of the time limit, and start from that plan. Seconds spent (0: no pass)."""
    n_sites = scenario.solver.warm_start_sites
    if n_sites <= 0 or len(inputs.sites) <= n_sites:
        return 0.0
    keep = set(warm_start_sites(inputs, n_sites))
    closed = [model.open[j] for j in inputs.sites.index if j not in keep]
    info, _ = _warm_start(h, form, closed, WARM_START_TIME_SHARE * time_limit_seconds, None)
    return info.get("seconds", 0.0)


def _stage(result: dict, out: Path, name: str, seconds: float | None = None) -> None:
    """Record that stage ``name`` has started (and the seconds of the one before) and save."""
    if seconds is not None:
        result[f"{result['stage']}_s"] = seconds
    result["stage"] = name
    _save(result, out)


def run_size(scenario_path: Path, out: Path, time_limit_seconds: float) -> dict:
    """Measure one size (module docstring) and write the figures to ``out`` (JSON) as they come."""
    result: dict = {"stage": "load"}
    _save(result, out)
    t = time.perf_counter()
    scenario = load_scenario(scenario_path)
    dataset = load_dataset(scenario)
    _stage(result, out, "prepare", time.perf_counter() - t)
    t = time.perf_counter()
    inputs = screen(prepare_inputs(dataset, scenario), scenario.solver.screen_sites)
    result["model_sites"] = len(inputs.sites)
    _stage(result, out, "build_model", time.perf_counter() - t)
    model = build_model(inputs)
    result["build_s"] = time.perf_counter() - t
    _stage(result, out, "compile", result["build_s"] - result["prepare_s"])
    t = time.perf_counter()
    form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    _stage(result, out, "pass", time.perf_counter() - t)
    t = time.perf_counter()
    h = _highs_model(form, model)
    _stage(result, out, "write_mps", time.perf_counter() - t)
    result["integer_variables"] = sum(1 for v in form.columns if v.is_integer())
    result |= {"variables": h.getNumCol(), "constraints": h.getNumRow(), "nonzeros": h.getNumNz()}
    mps = out.with_suffix(".mps")
    h.writeModel(str(mps))
    _stage(result, out, "solve")
    for k, v in _solve_options(scenario, time_limit_seconds).items():
        h.setOptionValue(k, v)
    t = time.perf_counter()
    result["warm_start_s"] = _warm_start_pass(h, form, model, inputs, scenario, time_limit_seconds)
    h.setOptionValue("time_limit", max(time_limit_seconds - (time.perf_counter() - t), 1.0))
    h.run()
    result["solve_s"] = time.perf_counter() - t
    result |= _highs_outcome(h)
    del h, form, model, inputs, dataset
    _stage(result, out, "read_mps")
    reader = highspy.Highs()
    reader.setOptionValue("output_flag", False)
    t = time.perf_counter()
    reader.readModel(str(mps))
    result["mps_read_s"] = time.perf_counter() - t
    mps.unlink()
    _stage(result, out, "done")
    return result


def child_main(scenario_path: str, out: str, time_limit_seconds: float) -> int:
    """Entry point of the subprocess: ``out`` gets the figures; a MemoryError is recorded as such."""
    path = Path(out)
    try:
        run_size(Path(scenario_path), path, time_limit_seconds)
    except MemoryError:
        result = json.loads(path.read_text()) if path.exists() else {}
        result["status"] = "out of memory"
        _save(result, path)
        return 3
    return 0


# --------------------------------------------------------------------------------------------------------
# the parent: one subprocess per size


def _limit_memory(max_bytes: int):
    """A ``preexec_fn`` that caps the child's address space at ``max_bytes`` bytes."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    return apply


def _wait(proc: subprocess.Popen, wall_limit_seconds: float) -> tuple[int, float, bool]:
    """Wait for ``proc`` (killing it after ``wall_limit_seconds``); return its wait status, its own peak
    resident memory (GiB, from ``os.wait4``'s rusage) and whether it was killed for time."""
    deadline = time.monotonic() + wall_limit_seconds
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage.ru_maxrss * 1024 / GIB, killed
        if not killed and time.monotonic() > deadline:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.2)


#: what a child capped by RLIMIT_AS prints when an allocation or a shared-library mapping is refused
MEMORY_ERRORS = (
    "MemoryError",
    "bad_alloc",
    "Cannot allocate memory",
    "failed to map segment from shared object",
)


def _outcome(result: dict, status: int, killed: bool, log: str) -> str:
    """Status of a size from what the child wrote, how it ended and its stderr."""
    if killed:
        return "time limit"
    if result.get("stage") == "done" or result.get("status") == "out of memory":
        return result.get("status", "error")
    if any(sign in log for sign in MEMORY_ERRORS):
        return "out of memory"
    if os.WIFSIGNALED(status):
        return f"killed ({signal.Signals(os.WTERMSIG(status)).name})"
    return f"error (exit {os.waitstatus_to_exitcode(status)})"


def measure(n: int, work: Path, args: argparse.Namespace, dataset) -> dict:
    """Write the case of size ``n`` and run it in a fresh, memory-capped subprocess; one table row."""
    case = work / f"scale_{n}"
    scenario = write_scale_case(n, case, args.seed, args.time_limit, dataset)
    if args.screen:
        text = yaml.safe_load(scenario.read_text())
        text.setdefault("solver", {})["screen_sites"] = args.screen
        scenario.write_text(yaml.safe_dump(text, sort_keys=False))
    out = case / "result.json"
    cmd = [sys.executable, __file__, "--child", str(scenario), "--result", str(out)]
    cmd += ["--time-limit", str(args.time_limit)]
    with open(case / "stderr.txt", "w") as err:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=_limit_memory(int(args.memory_gib * GIB))
        )
        status, peak_gib, killed = _wait(proc, args.wall_limit or args.time_limit + 1200.0)
    result = json.loads(out.read_text()) if out.exists() else {"stage": "start"}
    result["status"] = _outcome(result, status, killed, (case / "stderr.txt").read_text()[-4000:])
    result["candidates"], result["peak_gib"] = n, peak_gib
    if "compile_s" in result and "pass_s" in result:
        result["handoff_s"] = result["compile_s"] + result["pass_s"]
    if result.get("mps_read_s"):
        result["ratio"] = (result["build_s"] + result["handoff_s"]) / result["mps_read_s"]
    return {k: result.get(k, math.nan) for k in COLUMNS}


# --------------------------------------------------------------------------------------------------------
# the table and the growth rates


def _fmt(key: str, v) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if key == "gap":
        return f"{v:.2%}" if math.isfinite(v) else "no bound"
    if key == "objective_usd":
        return f"{v / 1e9:.3f} B"
    if key in ("peak_gib", "ratio"):
        return f"{v:.2f}"
    if key.endswith("_s"):
        return f"{v:.1f}"
    return f"{int(v):,}"


def markdown_table(rows: list[dict]) -> str:
    """The rows as a markdown table (times in s, gap in %, memory in GiB)."""
    head = "| " + " | ".join(COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    body = ["| " + " | ".join(_fmt(k, r[k]) for k in COLUMNS) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def loglog_slope(n1: float, y1: float, n2: float, y2: float) -> float:
    """Exponent b of y ∝ N^b through two points: log(y2 / y1) / log(n2 / n1) (NaN if undefined).

    >>> loglog_slope(100, 2.0, 1000, 20.0)
    1.0
    """
    if not all(map(math.isfinite, (n1, y1, n2, y2))) or min(n1, y1, n2, y2) <= 0 or n1 == n2:
        return math.nan
    return math.log(y2 / y1) / math.log(n2 / n1)


GROWTH = ("build_s", "handoff_s", "solve_s", "variables", "nonzeros", "peak_gib")


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(v)


def linear_extrapolation(n1: float, y1: float, n2: float, y2: float, n: float) -> float:
    """y at ``n`` on the straight line y = a + b·N through (n1, y1) and (n2, y2) (a fixed base plus a
    cost per candidate, e.g. memory in GiB).

    >>> linear_extrapolation(100, 1.0, 1000, 4.0, 10000)
    34.0
    """
    return y2 + (y2 - y1) / (n2 - n1) * (n - n2)


def _extrapolate(a: dict, b: dict, n: int) -> str:
    """Model size, build and hand-off time (s) and peak memory (GiB) at ``n`` candidates on the straight
    lines through sizes ``a`` and ``b`` (each is a fixed part plus a part per candidate: the model grows
    linearly with the candidates); the solve only when ``b`` was solved to the gap (else it is at least the
    time limit)."""
    na, nb = a["candidates"], b["candidates"]
    est = {k: linear_extrapolation(na, a[k], nb, b[k], n) for k in GROWTH}
    if b["status"] == "optimal":
        slope = loglog_slope(na, a["solve_s"], nb, b["solve_s"])
        solve = f"{b['solve_s'] * (n / nb) ** slope:.0f} s (N^{slope:.2f})"
    elif _finite(b["solve_s"]):
        solve = f"over {b['solve_s']:.0f} s (the time limit stopped the {nb:,}-candidate solve)"
    else:
        solve = f"not estimated (the {nb:,}-candidate solve: {b['status']})"
    return (
        f"extrapolated to {n:,} candidates (lines through {na:,} and {nb:,}): {est['variables']:,.0f} "
        f"variables, {est['nonzeros']:,.0f} nonzeros, build {est['build_s']:.0f} s, hand-off "
        f"{est['handoff_s']:.0f} s, peak memory {est['peak_gib']:.1f} GiB, solve {solve}"
    )


def growth_report(rows: list[dict]) -> str:
    """Log-log slopes (y ∝ N^slope) between consecutive sizes that were built and handed off, and
    extrapolations to the larger sizes that were not."""
    lines = []
    done = [r for r in rows if _finite(r["build_s"]) and _finite(r["handoff_s"])]
    for a, b in zip(done, done[1:], strict=False):
        slopes = ", ".join(
            f"{k} N^{loglog_slope(a['candidates'], a[k], b['candidates'], b[k]):.2f}" for k in GROWTH
        )
        lines.append(f"{a['candidates']:,} → {b['candidates']:,} candidates: {slopes}")
    if len(done) >= 2:
        for r in rows:
            if r["candidates"] > done[-1]["candidates"]:
                lines.append(_extrapolate(done[-2], done[-1], r["candidates"]))
    return "\n".join(lines)


def read_csv(path: Path) -> list[dict]:
    """Rows written by :func:`write_csv` (numbers as floats, ``status`` and ``stage`` as text)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    text = ("status", "stage")
    out = [
        {k: (v if k in text else float(v) if v not in ("", "nan") else math.nan) for k, v in r.items()}
        for r in rows
    ]
    for r in out:
        r["candidates"] = int(r["candidates"])
        for k in COLUMNS:
            r.setdefault(k, math.nan)  # a column an older version did not write
    return out


def write_csv(rows: list[dict], path: Path) -> None:
    """The table as CSV (one row per size, the columns of :data:`COLUMNS`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100,1000,10000", help="comma-separated candidate counts")
    p.add_argument("--time-limit", type=float, default=600.0, help="HiGHS time limit per size (s)")
    p.add_argument("--memory-gib", type=float, default=8.0, help="address-space cap per size (GiB)")
    p.add_argument(
        "--wall-limit",
        type=float,
        default=None,
        help="wall-clock cap per size, all stages (s; time limit + 1200)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the site draws")
    p.add_argument(
        "--screen",
        type=int,
        default=0,
        help="solver.screen_sites of every case: build the model over this many screened sites (0: all)",
    )
    p.add_argument("--csv", default=str(ROOT / "results" / "bench_scale.csv"), help="CSV written")
    p.add_argument("--workdir", default=None, help="keep the cases here (default: a temporary directory)")
    p.add_argument("--from-csv", default=None, help="print the table and growth rates of an earlier CSV")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--result", default=None, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.child:
        sys.exit(child_main(args.child, args.result, args.time_limit))
    if args.from_csv:
        rows = read_csv(Path(args.from_csv))
        print(markdown_table(rows))
        print(growth_report(rows))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    dataset = load_layers()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        work = Path(args.workdir) if args.workdir else Path(tmp)
        for n in sizes:
            t = time.perf_counter()
            rows.append(measure(n, work, args, dataset))
            r = rows[-1]
            print(
                f"{n:,} candidates: {r['status']} at stage {r['stage']} in {time.perf_counter() - t:.0f} s",
                flush=True,
            )
    print(markdown_table(rows))
    print(growth_report(rows))
    write_csv(rows, Path(args.csv))
    print(f"written: {args.csv}")


if __name__ == "__main__":
    main()
