"""ModelInputs is the model's documented contract: the docs print its field table, and what
``prepare_inputs`` builds has every table, index and column the contract documents."""

import re
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest
from tinydata import write_tiny_data

import siting
from siting.data.load import load_dataset
from siting.model.inputs import ModelInputs, field_table, field_table_markdown
from siting.model.prepare import prepare_inputs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def documented_tables() -> dict[str, tuple[list[str], list[str]]]:
    """``table → (index names, column names)`` parsed from the ``Tables`` section of the docstring."""
    doc = ModelInputs.__doc__.split("Tables\n    ------\n", 1)[1]
    out = {}
    for chunk in re.split(r"\n    (?=\w+ : )", "\n    " + doc.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        name, body = chunk.split(" : ", 1)
        index_part, _, rest = body.partition(";")
        out[name] = (re.findall(r"``(\w+)``", index_part), re.findall(r"``(\w+)``", rest))
    return out


def test_docs_print_the_field_table():
    """docs/model.md carries the field table generated from the dataclass, so the two cannot drift."""
    assert field_table_markdown() in DOCS.read_text()


def test_every_field_has_unit_default_and_source():
    table = field_table()
    assert list(table["name"]) == [f.name for f in fields(ModelInputs)]
    assert (table["unit"].str.len() > 0).all() and (table["source"].str.len() > 0).all()
    # dataclass defaults are what the table says (e.g. it_utilization 0.8, carbon price 0 USD/tCO2)
    assert table.set_index("name").loc["it_utilization", "default"] == "0.8"
    assert table.set_index("name").loc["steps", "default"] == "required"


def test_docstring_lists_every_table_field():
    tables = documented_tables()
    frames = [f.name for f in fields(ModelInputs) if f.type in ("pd.DataFrame", pd.DataFrame)]
    assert sorted(tables) == sorted(frames)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = write_tiny_data(
        tmp_path_factory.mktemp("contract"),
        sites=[{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0}],
        substations=[{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}],
    )
    sc = siting.Scenario(
        name="contract",
        decision_date="2026-01-01",
        horizon={"first_year": 2026, "last_year": 2027},
        phase_mw=50,
        targets_it_mw={"2026-05-01": 100},
        min_sites=0,
        power_options=["utility_tariff", "onsite_gas", "battery", "solar_ppa"],
    )
    return prepare_inputs(load_dataset(sc, data_dir=data), sc)


@pytest.mark.parametrize("table", sorted(documented_tables()))
def test_built_tables_match_the_contract(built, table):
    """Every documented index level and column exists in the table ``prepare_inputs`` builds."""
    index, columns = documented_tables()[table]
    df = getattr(built, table)
    assert list(df.index.names) == index, f"{table}: index {df.index.names} != documented {index}"
    missing = sorted(set(columns) - set(df.columns))
    assert not missing, f"{table} lacks documented columns {missing}"
