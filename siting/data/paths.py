"""Where the embedded default data and the shipped scenarios live, and the default file of every layer."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

#: Layer → file name in the default data directory (``data/``).
DEFAULT_FILES = {
    "zones": "zones.csv",
    "substations": "substations.csv",
    "transmission_lines": "transmission_lines.geojson",
    "candidate_sites": "candidate_sites.csv",
    "climate": "climate.nc",
    "power_options": "power_options.csv",
    "costs": "costs.csv",
    "line_costs": "line_costs.csv",
    "states": "states.geojson",
    "tariffs": "tariffs.csv",
    "permitting": "permitting.csv",
    "gas_points": "gas_points.csv",
    "supply_chain": "supply_chain.csv",
    "demand_regions": "demand_regions.csv",
}


def default_data_dir() -> Path:
    """Directory of the embedded default data (``data/`` in a checkout, packaged in a wheel)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_default_data", here.parent / "data"):
        if (candidate / "zones.csv").exists():
            return candidate
    raise InputError(
        "embedded default data not found",
        file=str(here.parent / "data"),
        fix="reinstall siting, or set every layer in the scenario's `data:` section",
    )


def default_models_dir() -> Path:
    """Directory of the shipped scenarios (``models/``)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_default_models", here.parent / "models"):
        if candidate.exists():
            return candidate
    raise InputError("shipped scenarios not found", file=str(here.parent / "models"))
