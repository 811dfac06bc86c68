"""The import structure (docs/DEVELOPING.md, "Module map"): data flows crawl -> extract -> (registry) -> evaluate ->
render, and no stage imports a later one; the web layer is shared and imports nothing of ours but models; the
connection gate (``net``) is the I/O layer under crawl and registry and imports nothing of ours but models and
options; no import cycles.

Every import counts, also those inside functions and under ``TYPE_CHECKING``: a cycle broken by a late import
is still a cycle in the design. ``from package import name`` counts as an import of ``package.name`` when that
is a module, else of the package itself (importing a submodule always runs its package's ``__init__`` first,
so that edge is not counted).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "trustaudit"

# (stage, modules it must not import: prefixes of dotted names)
_FRONT = ("trustaudit.cli", "trustaudit.cli_common", "trustaudit.batch", "trustaudit.pipeline")
FORBIDDEN = {
    "trustaudit.crawl": ("trustaudit.extract", "trustaudit.registry", "trustaudit.engine", "trustaudit.render",
                         "trustaudit.scoring", "trustaudit.report", *_FRONT),
    "trustaudit.extract": ("trustaudit.registry", "trustaudit.engine", "trustaudit.render", "trustaudit.scoring",
                           "trustaudit.report", "trustaudit.crawl", "trustaudit.net", *_FRONT),
    # register look-ups: an enrichment of what extraction found; its connections go through the gate it is given
    "trustaudit.registry": ("trustaudit.crawl", "trustaudit.engine", "trustaudit.render", "trustaudit.scoring",
                            "trustaudit.report", *_FRONT),
    "trustaudit.engine": ("trustaudit.render", "trustaudit.crawl", "trustaudit.net", *_FRONT),
    "trustaudit.scoring": ("trustaudit.render", "trustaudit.crawl", "trustaudit.net", "trustaudit.extract", *_FRONT),
    "trustaudit.render": ("trustaudit.crawl", "trustaudit.net", "trustaudit.extract", "trustaudit.registry",
                          "trustaudit.engine", *_FRONT),
}
WEB_MAY_IMPORT = ("trustaudit.web", "trustaudit.models")
NET_MAY_IMPORT = ("trustaudit.net", "trustaudit.models", "trustaudit.options")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, base: str, name: str | None) -> str:
    """The module an import statement in ``module`` names (``from base import name`` / ``import base``)."""
    if name is not None and f"{base}.{name}" in MODULES:
        return f"{base}.{name}"
    return base


def imports_of(module: str) -> set[str]:
    """The trustaudit modules ``module`` imports, anywhere in its code."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    pkg = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                out.add(_resolve(module, base, alias.name))
    found = set()
    for name in out:
        while name and name not in MODULES:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        if name.startswith("trustaudit") and name != module:
            found.add(name)
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def _in(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_the_walk_sees_the_package():
    assert len(MODULES) > 50
    assert "trustaudit.extract.page" in GRAPH["trustaudit.extract.merge"]
    assert "trustaudit.web.html" in GRAPH["trustaudit.crawl.http"]
    assert "trustaudit.net.gate" in GRAPH["trustaudit.crawl.http"]
    # a late import inside a function counts
    assert "trustaudit.crawl" in GRAPH["trustaudit.pipeline"]


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_no_stage_imports_a_later_one(stage):
    bad = sorted(
        f"{m} -> {dep}"
        for m, deps in GRAPH.items()
        if _in(m, stage)
        for dep in deps
        if any(_in(dep, f) for f in FORBIDDEN[stage])
    )
    assert not bad, "imports against the flow (see docs/DEVELOPING.md):\n" + "\n".join(bad)


def test_the_web_layer_imports_nothing_of_ours_but_models():
    bad = sorted(
        f"{m} -> {dep}"
        for m, deps in GRAPH.items()
        if _in(m, "trustaudit.web")
        for dep in deps
        if not any(_in(dep, ok) for ok in WEB_MAY_IMPORT)
    )
    assert not bad, "\n".join(bad)


def test_the_connection_gate_imports_nothing_of_ours_but_models_and_options():
    bad = sorted(
        f"{m} -> {dep}"
        for m, deps in GRAPH.items()
        if _in(m, "trustaudit.net")
        for dep in deps
        if not any(_in(dep, ok) for ok in NET_MAY_IMPORT)
    )
    assert not bad, "\n".join(bad)


def test_only_the_web_layer_parses_hosts_and_html():
    """``urlsplit(...).hostname`` and the lxml parser appear in the web layer only (the crawl's transport,
    TLS and batch input code, the connection gate, and the registry's endpoints (configured register URLs,
    RDAP servers), which read the host of a URL they were given, are listed)."""
    allowed = {"trustaudit.crawl.fetch", "trustaudit.crawl.http", "trustaudit.crawl.__init__",
               "trustaudit.crawl.tls", "trustaudit.batch.inputs", "trustaudit.net.gate",
               "trustaudit.registry.config", "trustaudit.registry.rdap"}
    bad = []
    for m, path in MODULES.items():
        if _in(m, "trustaudit.web"):
            continue
        src = path.read_text(encoding="utf-8")
        key = m + (".__init__" if path.name == "__init__.py" else "")
        if ("HTMLParser(" in src or "lxml.html" in src) or (".hostname" in src and key not in allowed):
            bad.append(m)
    assert not bad, bad


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(GRAPH.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    monkeypatch.setitem(GRAPH, "trustaudit.models", GRAPH["trustaudit.models"] | {"trustaudit.web.urls"})
    monkeypatch.setitem(GRAPH, "trustaudit.web.urls", GRAPH["trustaudit.web.urls"] | {"trustaudit.models"})
    assert ["trustaudit.models", "trustaudit.web.urls"] in _cycles()
