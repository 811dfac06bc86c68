"""One-off conversion: every human-language text in rules/ moves into one catalogue per language.

Reads rules/i18n.yaml (UI strings), rules/categories.yaml (category titles), rules/checks/*.yaml (title,
fail_title, fix, description, manual_note) and rules/stacks/*.yaml (platform fixes), writes
rules/locales/<lang>.yaml with flat keys, then removes those texts from the source files (line-based, so the
rest of each file, comments included, stays byte-for-byte as it was). Run once from the repository root.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1] / "rules"
TEXT_KEYS = ("title", "fail_title", "fix", "description", "manual_note")
HEADER = {
    "en": "English — the reference catalogue: every other catalogue has a subset of its keys",
}


def texts(value):
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value.strip()}
    return {str(k): str(v).strip() for k, v in value.items()}


def main() -> None:
    sections: dict[str, list[tuple[str, dict[str, str]]]] = {"ui": [], "category": [], "check": [], "stack": []}
    for key, entry in (yaml.safe_load((ROOT / "i18n.yaml").read_text(encoding="utf-8")) or {}).items():
        sections["ui"].append((key, texts(entry)))
    for cat in yaml.safe_load((ROOT / "categories.yaml").read_text(encoding="utf-8")):
        sections["category"].append((f"category.{cat['id']}", texts(cat.get("title"))))
    for path in sorted((ROOT / "checks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for k in TEXT_KEYS:
            if data.get(k) is not None:
                sections["check"].append((f"check.{data['id']}.{k}", texts(data[k])))
        if data.get("fix_platform"):
            raise SystemExit(f"{path.name}: fix_platform in a rule file is not converted")
    for path in sorted((ROOT / "stacks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        slug = str(data.get("slug") or path.stem)
        for rid, entry in (data.get("fixes") or {}).items():
            sections["stack"].append((f"stack.{slug}.{rid}", texts(entry)))

    langs = sorted({lang for sec in sections.values() for _k, t in sec for lang in t})
    out_dir = ROOT / "locales"
    out_dir.mkdir(exist_ok=True)
    titles = {
        "ui": "report frame: headings, labels, statuses, reasons and evidence notes",
        "category": "category titles (category.<id>)",
        "check": "checks (check.<id>.title | fail_title | fix | description | manual_note)",
        "stack": "platform fixes from the stack packs (stack.<platform slug>.<check id>)",
    }
    for lang in langs:
        parts = [f"# trustaudit messages: {lang}. Format and fallback chain: trustaudit/messages.py.\n"]
        for name, entries in sections.items():
            flat = {k: t[lang] for k, t in entries if t.get(lang)}
            if not flat:
                continue
            parts.append(f"\n# --- {titles[name]}\n")
            parts.append(yaml.dump(flat, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False))
        (out_dir / f"{lang}.yaml").write_text("".join(parts), encoding="utf-8")

    # strip the converted texts from the source files
    for path in sorted((ROOT / "checks").glob("*.yaml")):
        path.write_text(drop_blocks(path.read_text(encoding="utf-8"), TEXT_KEYS), encoding="utf-8")
    for path in sorted((ROOT / "stacks").glob("*.yaml")):
        path.write_text(drop_blocks(path.read_text(encoding="utf-8"), ("fixes",)), encoding="utf-8")
    cats = (ROOT / "categories.yaml").read_text(encoding="utf-8")
    (ROOT / "categories.yaml").write_text(re.sub(r"(?m)^  title: \{.*\}\n", "", cats), encoding="utf-8")
    (ROOT / "i18n.yaml").unlink()


def drop_blocks(text: str, keys: tuple[str, ...]) -> str:
    """Remove top-level ``key:`` blocks (the key line and every indented or blank line after it)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        top = re.match(r"([A-Za-z_][\w-]*):", line)
        if top:
            skipping = top.group(1) in keys
        elif line.strip() and not line[0].isspace() and not line.startswith("#"):
            skipping = False
        if not skipping:
            out.append(line)
    return "".join(out)


if __name__ == "__main__":
    main()
