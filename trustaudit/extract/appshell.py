"""Is a page an application shell, whose content only JavaScript builds? (``rules/vocab/appshell.yaml``)

Such a page, read as served, shows no e-mail, no footer, no widgets: not because the shop has none, but because
the browser has not built them yet. The pipeline gives :func:`is_app_shell` to the crawl, which marks the page
(``FetchedPage.app_shell``) and, with ``--render auto``, loads exactly these pages in the browser; the engine
turns what such a page could not show into "could not check" instead of failures.
"""

from __future__ import annotations

from functools import lru_cache

from trustaudit.resources import load_yaml
from trustaudit.web.html import ParsedPage
from trustaudit.web.text import fold

_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})


@lru_cache(maxsize=1)
def _vocab() -> tuple[int, int, frozenset[str], frozenset[str], tuple[str, ...]]:
    data = load_yaml("vocab/appshell.yaml") or {}
    return (
        int(data.get("max_text", 200)),
        int(data.get("bare_text", 12)),
        frozenset(str(x).lower() for x in data.get("mount_ids") or ()),
        frozenset(str(x).lower() for x in data.get("mount_tags") or ()),
        tuple(fold(str(x)) for x in data.get("javascript_words") or ()),
    )


def _has_text(el) -> bool:
    """Whether ``el`` holds visible text (scripts, styles and <noscript> left out)."""
    stack = [el]
    while stack:
        node = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _NOT_TEXT:
            continue
        if isinstance(node.tag, str) and node.text and node.text.strip():
            return True
        for child in node:
            if child.tail and child.tail.strip():
                return True
            stack.append(child)
    return False


def is_app_shell(pp: ParsedPage) -> bool:
    """True when the page as served is plainly an application shell (see the vocabulary file for the rule)."""
    root = pp.root
    if root is None:
        return False
    max_text, bare_text, mount_ids, mount_tags, js_words = _vocab()
    text_len = len(pp.text)
    if text_len > max_text:
        return False
    scripts = [el for el in root.iter("script") if (el.get("type") or "").strip().lower() != "application/ld+json"]
    if not scripts:
        return False
    for el in root.iter():
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag:
            continue
        if tag in mount_tags or (el.get("id") or "").strip().lower() in mount_ids:
            if tag not in ("html", "body", "head") and not _has_text(el):
                return True
        elif tag == "noscript":
            said = fold(" ".join("".join(el.itertext()).split()))
            if any(w in said for w in js_words):
                return True
    return text_len <= bare_text and any(el.get("src") for el in scripts)
