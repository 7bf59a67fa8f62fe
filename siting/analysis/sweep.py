"""Sweeps: one base scenario, many variations, each solved by :func:`siting.solve` on dask.distributed.

A *case* is a dict of scenario overrides whose keys are field paths, dotted for nested fields
(``{"overrides.gas_price_usd_per_mmbtu": 6, "carbon_price_usd_per_tco2": 50}``); each value replaces that
field of the base scenario (a dict value replaces the whole dict, it is not merged). Its *case id* is the
first 12 hex digits of the SHA-256 of the overrides as canonical JSON (sorted keys; numbers as floats, so
``6`` and ``6.0`` are the same case): the same overrides give the same id on every machine and run.

Cases run as dask tasks (:func:`run_case`); results come back as they finish
(``distributed.as_completed``) and go into one tidy table, one row per case (:data:`RESULT_COLUMNS`),
rewritten to ``out/sweep.csv`` through a temporary file and a rename after every case, so the file is
always complete. A rerun with the same ``out`` skips every case already in the table with status
``optimal``, ``feasible`` or ``error`` (a case that failed for another reason, e.g. a worker that died,
is ``failed`` and runs again). Plans are sent back to the client and saved there as normal plan
directories ``out/cases/<case id>/`` (no maps), so workers need no shared file system; ``data_dir`` and the
data paths of the scenario must exist on the workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from distributed import Client, LocalCluster, as_completed
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .. import api
from ..errors import InputError, SitingError
from ..results.plan import BuildPlan
from ..scenario import Scenario, load_scenario, scenario_problems

#: The sweep table and its fingerprint file in ``out``; plan directories go under ``out/cases/``.
TABLE_FILE = "sweep.csv"
META_FILE = "sweep.json"
CASES_DIR = "cases"
#: Statuses of a finished case (skipped by a rerun); ``failed`` cases (unexpected errors) run again.
FINISHED = ("optimal", "feasible", "error")
#: Columns after ``case_id`` and the override columns. Money in USD of the scenario's currency year
#: (present value), MW of IT, tCO2 over the horizon, seconds of wall time.
RESULT_COLUMNS = (
    "status",  # optimal / feasible (plan), error (InputError, InfeasibleScenarioError), failed (other)
    "message",  # the error's message (empty for a plan)
    "objective_usd",
    "best_bound_usd",
    "mip_gap",  # relative
    "target_it_mw",  # the last step's target, IT MW
    "it_mw_online",  # IT MW online in the last step
    "shortfall_it_mw_max",  # the largest shortfall of any step, IT MW
    "shortfall_it_mw_years",  # shortfall × step length summed over the steps, IT MW-years
    "energy_grid",  # shares of the facility energy over the horizon (grid not matched by PPAs)
    "energy_ppa",
    "energy_onsite",
    "emissions_tco2",  # over the horizon (the model's emissions definition)
    "overnight_capex_usd",
    "sites",  # number of chosen sites
    "solve_seconds",  # HiGHS
    "case_seconds",  # the whole case on its worker (load, build, solve, extract)
    "plan_dir",  # relative to ``out`` (empty without a plan or without ``out``)
    "worker",  # host:pid that ran the case
    "finished_utc",
    "overrides_json",  # the case's overrides as canonical JSON
)


def expand_variations(variations: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The list of cases (override dicts) described by ``variations``.

    A list (or tuple) of dicts is taken as it is, one case per dict. A dict is a Cartesian product: each
    value that is a list gives the alternatives of its key, any other value is one fixed value, and cases
    run through the product with the last key varying fastest: ``{"a": [1, 2], "b": [3, 4, 5]}`` gives
    the 6 cases ``{a: 1, b: 3}, {a: 1, b: 4}, …, {a: 2, b: 5}``. Duplicate cases (same case id) are kept
    once, at their first position.
    """
    if isinstance(variations, Mapping):
        keys = [str(k) for k in variations]
        values = [v if isinstance(v, list | tuple) else [v] for v in variations.values()]
        cases = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
    elif isinstance(variations, Sequence) and not isinstance(variations, str):
        cases = [dict(c) for c in variations if isinstance(c, Mapping)]
        if len(cases) != len(variations):
            raise InputError(
                "variations: every case of a list must be a mapping of scenario fields to values",
                fix='write e.g. [{"overrides.gas_price_usd_per_mmbtu": 6}, {"carbon_price_usd_per_tco2": 50}]',
            )
    else:
        raise InputError(
            f"variations must be a list of override mappings or a mapping of lists, not {type(variations).__name__}",
            fix='e.g. {"overrides.gas_price_usd_per_mmbtu": [3, 6, 9]} (Cartesian product)',
        )
    unique: dict[str, dict[str, Any]] = {}
    for c in cases:
        unique.setdefault(case_id(c), c)
    return list(unique.values())


def load_variations(path: str | Path) -> list[dict[str, Any]]:
    """Read a variations YAML file (a list of mappings, or a mapping of lists) and expand it."""
    path = Path(path)
    if not path.exists():
        raise InputError("variations file not found", file=path, fix="check the path")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f"variations file is not valid YAML: {exc}", file=path) from None
    try:
        return expand_variations(raw)
    except InputError as exc:
        raise InputError(exc.message, file=path, fix=exc.fix) from None


def _canonical(value: Any) -> Any:
    """JSON-ready copy with every number a float (so ``6`` and ``6.0`` hash alike) and dates as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), allow_nan=False)


def case_id(overrides: Mapping[str, Any]) -> str:
    """12 hex digits of the SHA-256 of the overrides' canonical JSON (see the module docstring)."""
    return hashlib.sha256(_json(overrides).encode()).hexdigest()[:12]


def _set_path(raw: dict, key: str, value: Any) -> None:
    """``raw[a][b][c] = value`` for ``key`` ``"a.b.c"``, creating missing levels."""
    *parents, leaf = key.split(".")
    node = raw
    for i, p in enumerate(parents):
        child = node.setdefault(p, {})
        if not isinstance(child, dict):
            raise InputError(
                f"cannot set '{key}': '{'.'.join(parents[: i + 1])}' is a value, not a section",
                field=key,
                fix="use the dotted path of a nested field (docs/scenarios.md)",
            )
        node = child
    node[leaf] = value


def apply_overrides(base: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """``base`` with the fields named by ``overrides`` (dotted paths) replaced, validated again.

    The case scenario keeps ``base``'s source path (relative data paths resolve as before) and, unless
    ``name`` is overridden, is named ``<base name>.<case id>``.

    Raises
    ------
    InputError
        An unknown field (with "did you mean") or an invalid value, naming the field.
    """
    raw = base.model_dump(exclude_unset=True)
    raw["name"] = f"{base.name}.{case_id(overrides)}"
    for key, value in overrides.items():
        _set_path(raw, str(key), value)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        found = scenario_problems(raw, exc)
        raise InputError(
            f"invalid case: {'; '.join(f'{name}: {msg}' for name, msg in found)}",
            field=found[0][0] if found else None,
            fix="check the variation's keys and values against docs/scenarios.md",
        ) from None
    scenario.source_path = base.source_path
    return scenario


def plan_row(plan: BuildPlan) -> dict[str, Any]:
    """The sweep-table figures of one plan (see :data:`RESULT_COLUMNS` for units)."""
    m = plan.meta
    steps = m.get("steps", [])
    share = m.get("energy_share") or {}
    return {
        "status": m["status"],
        "message": "",
        "objective_usd": m["objective_usd"],
        "best_bound_usd": m.get("best_bound_usd"),
        "mip_gap": m.get("mip_gap"),
        "target_it_mw": steps[-1]["target_it_mw"] if steps else None,
        "it_mw_online": steps[-1]["it_mw_online"] if steps else None,
        "shortfall_it_mw_max": max((s["shortfall_it_mw"] for s in steps), default=0.0),
        "shortfall_it_mw_years": sum(s["shortfall_it_mw"] * s["years"] for s in steps),
        "energy_grid": share.get("grid"),
        "energy_ppa": share.get("ppa"),
        "energy_onsite": share.get("onsite"),
        "emissions_tco2": sum(s["emissions_tco2"] for s in steps),
        "overnight_capex_usd": m.get("overnight_capex_usd"),
        "sites": len(plan.sites),
        "solve_seconds": m.get("solve_seconds"),
    }


def _stamp(overrides: Mapping[str, Any], row: dict[str, Any], t0: float) -> dict[str, Any]:
    """Add the case's id, overrides, wall time, worker and finish time to ``row``."""
    return {
        "case_id": case_id(overrides),
        **{str(k): v if _is_scalar(v) else _json(v) for k, v in overrides.items()},
        **row,
        "case_seconds": round(time.perf_counter() - t0, 3),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "finished_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "overrides_json": _json(overrides),
    }


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | bool | int | float)


def _message(exc: BaseException) -> str:
    return " | ".join(str(exc).splitlines()) or type(exc).__name__


def run_case(
    base: Scenario, overrides: Mapping[str, Any], data_dir: str | None = None, solver_overrides=None
) -> tuple[dict[str, Any], BuildPlan | None]:
    """Solve one case (this is the dask task): its table row and its plan (without map context).

    An :class:`~siting.InputError` or :class:`~siting.InfeasibleScenarioError` gives status ``error``
    and no plan; other exceptions propagate (the sweep records them as ``failed``).
    """
    t0 = time.perf_counter()
    try:
        scenario = apply_overrides(base, overrides)
        plan = api.solve(scenario, data_dir=data_dir, **(solver_overrides or {}))
    except SitingError as exc:
        return _stamp(overrides, {"status": "error", "message": _message(exc)}, t0), None
    plan.context = {}  # the loaded data layers stay on the worker
    return _stamp(overrides, plan_row(plan), t0), plan


def _failed(overrides: Mapping[str, Any], exc: BaseException | None) -> dict[str, Any]:
    row = {"status": "failed", "message": f"{type(exc).__name__}: {_message(exc)}" if exc else "cancelled"}
    return _stamp(overrides, row, time.perf_counter())


Result = tuple[dict[str, Any], dict[str, Any], BuildPlan | None]


def _serial(base: Scenario, cases: list[dict], data_dir, solver: dict) -> Iterator[Result]:
    """The cases one after the other in this process (``client="serial"``)."""
    for c in cases:
        try:
            row, plan = run_case(base, c, data_dir, solver)
        except Exception as exc:  # recorded as "failed"; the sweep goes on
            row, plan = _failed(c, exc), None
        yield c, row, plan


def _distributed(
    client: Client, base: Scenario, cases: list[dict], data_dir, solver: dict
) -> Iterator[Result]:
    """Submit every case, then yield each as it finishes (``distributed.as_completed``)."""
    # the scenario (a few kB) travels with each task: scattering it once hung a second sweep on the same
    # client in distributed 2026.8 (the broadcast of a key released by the first sweep never finished)
    futures = {client.submit(run_case, base, c, data_dir, solver, pure=False, retries=0): c for c in cases}
    try:
        for fut in as_completed(futures):
            c = futures[fut]
            if fut.status == "finished":
                row, plan = fut.result()
            else:  # an unexpected exception, a worker that died, a cancelled task
                row, plan = _failed(c, fut.exception() if fut.status == "error" else None), None
            fut.release()
            yield c, row, plan
    finally:
        client.cancel([f for f in futures if not f.done()])


@contextlib.contextmanager
def connect(client: Client | str | None, workers: int | None) -> Iterator[Client]:
    """A dask client: the one given, one connected to a scheduler address, or a new LocalCluster's.

    A LocalCluster has ``workers`` (default: the CPU count) single-threaded worker processes and is closed
    on exit; a client connected here is closed on exit (the cluster it connected to is not); a client
    passed in is left open.
    """
    if isinstance(client, Client):
        yield client
        return
    if isinstance(client, str):
        with Client(client) as c:
            yield c
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


class _Table:
    """The sweep table in memory and, with ``out``, in ``out/sweep.csv`` (rewritten atomically)."""

    def __init__(self, out: Path | None):
        self.path = None if out is None else out / TABLE_FILE
        self.rows: dict[str, dict[str, Any]] = {}
        if self.path is not None and self.path.exists():
            text = {"case_id": str, "message": str, "plan_dir": str}
            old = pd.read_csv(self.path, dtype=text).fillna({"message": "", "plan_dir": ""})
            self.rows = {r["case_id"]: r for r in old.to_dict("records")}

    def finished(self) -> set[str]:
        return {k for k, r in self.rows.items() if r.get("status") in FINISHED}

    def add(self, row: dict[str, Any]) -> None:
        self.rows[row["case_id"]] = row
        if self.path is not None:
            tmp = self.path.with_name(f".{TABLE_FILE}.tmp-{os.getpid()}")
            self.frame(list(self.rows)).to_csv(tmp, index=False)
            os.replace(tmp, self.path)

    def frame(self, ids: list[str]) -> pd.DataFrame:
        """Rows of ``ids`` in that order: ``case_id``, the override columns, :data:`RESULT_COLUMNS`."""
        df = pd.DataFrame([self.rows[i] for i in ids if i in self.rows])
        first = ["case_id"]
        extra = [c for c in df.columns if c not in (*first, *RESULT_COLUMNS)]
        return df.reindex(columns=[*first, *extra, *RESULT_COLUMNS])


def _fingerprint(base: Scenario, data_dir, solver: dict) -> dict[str, Any]:
    """What decides every case's result besides its overrides (a rerun must match it)."""
    text = _json(
        {
            "base": base.model_dump(mode="json"),
            "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
            "solver": solver,
        }
    )
    return {"base_scenario": base.name, "sha256": hashlib.sha256(text.encode()).hexdigest()}


def _open_out(out: Path, fingerprint: dict[str, Any]) -> None:
    """Create ``out`` and its ``sweep.json``, or check that an earlier sweep there had the same base."""
    meta = out / META_FILE
    if meta.exists():
        old = json.loads(meta.read_text())
        if old.get("sha256") != fingerprint["sha256"]:
            raise InputError(
                f"{out} holds a sweep of a different base scenario, data directory or solver options "
                f"(base '{old.get('base_scenario')}'); its finished cases would not match",
                file=meta,
                fix="use another --out directory, or delete this one to start over",
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    tmp = meta.with_name(f".{META_FILE}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(fingerprint, indent=2) + "\n")
    os.replace(tmp, meta)


@contextlib.contextmanager
def _progress(enabled: bool, total: int, done: int) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A rich progress bar on stderr (``enabled``) advanced by each finished row; else a no-op."""
    if not enabled:
        yield lambda row: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    errors = 0
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"cases ({done} done before)", total=total, completed=done)

        def advance(row: dict[str, Any]) -> None:
            nonlocal errors
            errors += row["status"] not in ("optimal", "feasible")
            bar.update(task, advance=1, description=f"cases ({errors} errors)" if errors else "cases")

        yield advance


def sweep(
    base: Scenario | str | Path,
    variations: Sequence[Mapping[str, Any]] | Mapping[str, Any] | str | Path,
    client: Client | str | None = None,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    data_dir: str | Path | None = None,
    progress: bool = False,
    **solver_overrides,
) -> pd.DataFrame:
    """Solve every variation of ``base`` on dask.distributed and return one tidy table.

    Parameters
    ----------
    base : Scenario or path
        The base scenario or its YAML file.
    variations : list of dicts, dict of lists, or path
        Cases as override dicts (dotted field paths), a dict of lists expanded as a Cartesian product, or a
        YAML file of either (see :func:`expand_variations`).
    client : distributed.Client, str or None
        ``None``: start a LocalCluster (``workers`` single-threaded processes, default the CPU count) and
        close it afterwards; a ``Client``: use it (left open); a scheduler address
        (``"tcp://scheduler:8786"``): connect to that cluster; ``"serial"``: no dask, one case after
        the other in this process.
    out : path, optional
        Sweep directory: ``sweep.csv`` (rewritten after every case), ``sweep.json`` (the base scenario's
        fingerprint) and ``cases/<case id>/`` plan directories. A rerun skips the finished cases there;
        a different base, ``data_dir`` or solver option is refused. Without ``out`` nothing is written.
    workers : int, optional
        Worker processes of the LocalCluster started when ``client`` is None.
    data_dir : path, optional
        Default-layer directory for every case (as in :func:`siting.solve`; must exist on the workers).
    progress : bool
        Show a rich progress bar on stderr.
    **solver_overrides
        Solver fields for every case (``time_limit_seconds``, ``mip_gap``, ``threads``, ``seed``).

    Returns
    -------
    pandas.DataFrame
        One row per case, in the order of ``variations``: ``case_id``, one column per override key, then
        :data:`RESULT_COLUMNS` (status ``optimal``, ``feasible``, ``error`` or ``failed``).
    """
    if not isinstance(base, Scenario):
        base = load_scenario(base)
    cases = (
        load_variations(variations) if isinstance(variations, str | Path) else expand_variations(variations)
    )
    out = Path(out) if out is not None else None
    data_dir = str(data_dir) if data_dir is not None else None
    if out is not None:
        _open_out(out, _fingerprint(base, data_dir, solver_overrides))
    table = _Table(out)
    ids = [case_id(c) for c in cases]
    todo = [c for c, i in zip(cases, ids, strict=True) if i not in table.finished()]
    with _progress(progress, len(cases), len(cases) - len(todo)) as advance:
        if todo:
            with _run(client, workers, base, todo, data_dir, solver_overrides) as results:
                for c, row, plan in results:
                    _record(table, out, c, row, plan)
                    advance(row)
    return table.frame(ids)


@contextlib.contextmanager
def _run(client, workers, base, todo, data_dir, solver) -> Iterator[Iterator[Result]]:
    """The stream of finished cases, serially or on a dask cluster (opened and closed here)."""
    if isinstance(client, str) and client == "serial":
        yield _serial(base, todo, data_dir, solver)
        return
    with connect(client, workers) as c:
        yield _distributed(c, base, todo, data_dir, solver)


def _record(table: _Table, out: Path | None, overrides: dict, row: dict, plan: BuildPlan | None) -> None:
    """Save the case's plan directory (with ``out``), then add its row to the table."""
    row = {**row, "plan_dir": ""}
    if plan is not None and out is not None:
        rel = Path(CASES_DIR) / row["case_id"]
        plan.save(out / rel, overwrite=True)
        row["plan_dir"] = rel.as_posix()
    table.add(row)
