"""Access to the data in ``rules/`` (shipped inside the wheel as ``trustaudit/rules``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

# libyaml's C loader when available: the rule set loads in a fraction of the pure-Python time
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def rules_dir() -> Path:
    """The rules folder: inside the installed package, or the source checkout's ``rules/``."""
    here = Path(__file__).resolve().parent
    for cand in (here / "rules", here.parent / "rules"):
        if (cand / "checks").is_dir():
            return cand
    raise FileNotFoundError("trustaudit rules folder not found (broken installation)")


def _parse(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=YAML_LOADER)


def _parse_all() -> dict[str, Any]:
    root = rules_dir()
    out = {}
    for path in sorted(root.rglob("*.yaml")):
        try:
            out[path.relative_to(root).as_posix()] = _parse(path)
        except (OSError, yaml.YAMLError):
            continue  # left out: load_yaml reads it again and raises the real error where it is used
    return out


@cache
def _bundle() -> dict[str, Any]:
    """Every YAML file under rules/, parsed once and kept in the on-disk vocabulary cache."""
    from trustaudit.vocabcache import load_or_build

    return load_or_build("rules-yaml", _parse_all)


@cache
def load_yaml(relpath: str) -> Any:
    """Load one YAML file under rules/ (cached; the data is read-only)."""
    bundle = _bundle()
    if relpath in bundle:
        return bundle[relpath]
    return _parse(rules_dir() / relpath)
