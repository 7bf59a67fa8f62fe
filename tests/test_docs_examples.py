"""The runnable examples in the README and docs/bring-your-own-data.md run as written (offline)."""

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


@pytest.mark.parametrize(
    ("doc", "index"),
    [("README.md", 1), ("docs/bring-your-own-data.md", 0)],
)
def test_example_runs(doc, index, tmp_path, monkeypatch):
    code = python_blocks(REPO / doc)[index]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    exec(compile(code, f"{doc}[{index}]", "exec"), {"__name__": "__doc_example__"})
    assert (tmp_path / "byod-example").exists()
    assert os.listdir(tmp_path / "byod-example")
