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


def test_ci_runs_the_lowest_python_that_requires_python_claims():
    """We support exactly what we test: .ci/run defaults to the lowest version requires-python allows and
    refuses any other, and the package imports nothing newer than that."""
    import re
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lowest = re.fullmatch(r">=(\d+\.\d+)", meta["project"]["requires-python"]).group(1)
    assert lowest == "3.11"
    assert meta["tool"]["ruff"]["target-version"] == "py" + lowest.replace(".", "")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert f"PY=${{PYTHON:-python{lowest}}}" in ci and "requires-python" in ci
    assert sys.version_info >= tuple(int(x) for x in lowest.split("."))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Python {lowest}+" in readme
