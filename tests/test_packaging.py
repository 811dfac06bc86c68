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


def _readme_block(after: str) -> str:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tail = readme.split(after, 1)[1]
    return re.search(r"```sh\n(.+?)\n```", tail, re.S).group(1).strip()


def test_readme_commands_are_self_contained_and_ci_runs_them_verbatim():
    """The quick start installs only what a user needs; both commands work in a new shell (no activated
    virtualenv assumed); .ci/run runs exactly those lines."""
    import re

    install = _readme_block("## Quick start")
    test = _readme_block("Run the tests")
    assert 'pip install .' in install and "[test]" not in install
    assert '".[test]"' in test and "-m pytest" in test
    for cmd in (install, test):
        assert "\n" not in cmd and "activate" not in cmd
        for part in re.split(r"\s*&&\s*", cmd):
            prog = part.split()[0]
            assert prog == "python3" or prog.startswith(".venv/bin/"), (cmd, part)
    ci = [ln.strip() for ln in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
          if ln.strip() and not ln.lstrip().startswith("#")]
    assert install in ci and test in ci


@pytest.mark.slow
def test_readme_test_command_works_in_a_new_shell(tmp_path):
    """The README's test command, as written, in a fresh shell without any activated environment, in a copy of
    the repository (only collecting one test file: PYTEST_ADDOPTS; no downloads: pip without an index, this
    environment's packages visible)."""
    import os
    import shutil
    import site

    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".ci-venv", ".git", "__pycache__",
                                                              ".pytest_cache", ".ruff_cache", ".hypothesis"))
    env = {"PATH": f"{Path(sys.executable).parent.parent / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(site.getsitepackages()), "PIP_NO_INDEX": "1",
           "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PYTEST_ADDOPTS": "--co -q -p no:cacheprovider tests/test_config.py"}
    env["PATH"] = env["PATH"].replace(str(Path(sys.executable).parent), "/nonexistent")  # no venv on PATH
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-c", _readme_block("Run the tests")], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "test_config.py::test_trustaudit_toml" in proc.stdout


def test_readme_ci_section_shows_the_action_first_and_installs_from_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = readme.split("## In CI", 1)[1].split("\n## ", 1)[0]
    action, gitlab = ci.index("uses: OWNER/trustaudit@"), ci.index("GitLab CI")
    assert action < gitlab
    assert "pip install trustaudit" not in readme  # not on a package index: every example installs the checkout
    assert "from this repository" in ci and "pip install /tmp/trustaudit" in ci
    for feature in ("--baseline", "-o badge.svg", "[assert]", "--max-age", "--header", "--include", "HTTPS_PROXY"):
        assert feature in readme, feature
