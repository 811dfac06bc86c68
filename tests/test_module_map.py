"""docs/DEVELOPING.md's module map against the code: every module of the package is named in the table (a new
module without a line there fails), every module the table names exists, and the flow diagram names the stages
in the order data goes through them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "DEVELOPING.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "trustaudit"


def modules() -> set[str]:
    """Every module of the package as a path below it: ``cli.py``, ``extract/page.py`` (``__init__`` and
    ``__main__`` are the packages' own doors, not modules of their own)."""
    return {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
            if p.name not in ("__init__.py", "__main__.py")}


def map_rows(doc: str) -> list[list[str]]:
    table = doc.split("## Module map", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    return [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in table.splitlines()[2:]]


def named(doc: str) -> set[str]:
    """The modules the table names. A row's module column gives its packages (`crawl/`, `extract/page.py`); in
    that row a bare `name` or `name.py` is a module of those packages, `pkg/name.py` names itself."""
    out: set[str] = set()
    for cells in map_rows(doc):
        text = " ".join(cells)
        packages = set(re.findall(r"`([a-z_]+)/", cells[1]))
        for token in re.findall(r"`([^`\s]+)`", text):
            token = token.split("(", 1)[0].rstrip(":,")
            if re.fullmatch(r"[a-z_]+/[a-z_]+\.py", token):
                out.add(token)
            elif re.fullmatch(r"[a-z_]+(\.py)?", token):
                name = token if token.endswith(".py") else f"{token}.py"
                out.add(name)
                out.update(f"{pkg}/{name}" for pkg in packages)
    return out


def test_every_module_is_in_the_map():
    missing = sorted(modules() - named(DOC))
    assert missing == [], f"modules not in docs/DEVELOPING.md's module map: {missing}"


def test_every_module_the_map_names_as_a_path_exists():
    paths = {t for cells in map_rows(DOC) for t in re.findall(r"`([a-z_]+/[a-z_]+\.py)`", " ".join(cells))}
    files = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    assert paths and sorted(paths - files) == []


def test_the_check_finds_a_module_left_out():
    doc = DOC.replace("`badge.py`", "`badges.py`")
    assert "render/badge.py" in modules() - named(doc)


def test_the_flow_names_the_stages_in_order():
    flow = DOC.split("```", 2)[1]
    stages = ["crawl", "extract_page", "merge", "evaluate", "score", "render"]
    positions = [flow.index(s) for s in stages]
    assert positions == sorted(positions), flow
