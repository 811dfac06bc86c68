"""A non-editable install must carry the rules, the demo shop, templates and the JSON schema."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling", reason="hatchling (test extra) builds the wheel without network")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (whl,) = out.glob("trustaudit-*.whl")
    return whl


def test_wheel_ships_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {n for n in names if n.startswith("trustaudit/rules/checks/") and n.endswith(".yaml")}
    assert len(rules) == len(list((ROOT / "rules/checks").glob("*.yaml")))
    for required in ("trustaudit/rules/categories.yaml", "trustaudit/rules/locales/en.yaml",
                     "trustaudit/demo/index.html", "trustaudit/schema/report.schema.json"):
        assert required in names, required
    assert any(n.startswith("trustaudit/rules/vocab/") for n in names)
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)
