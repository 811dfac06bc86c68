"""README's option tables against the CLI, both ways: every option a command takes is documented under
"## Options", and every option documented there is one that command takes (no stale rows after a rename). The
config keys of ``trustaudit.toml`` likewise, and the table of contents against the headings."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from trustaudit.cli import app
from trustaudit.config import _KNOWN as CONFIG_KEYS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EVERYWHERE = {"-h", "--help", "--version"}  # the root's and every command's own


def cli_options() -> dict[str, set[str]]:
    """Every leaf command ("scan", "rules show" ...) -> the option strings it accepts (long, short, --no-x)."""
    out: dict[str, set[str]] = {}

    def walk(cmd, path: str) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{path} {name}".strip())
            return
        out[path] = {o for p in cmd.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}

    walk(typer.main.get_command(app), "")
    return out


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]


def _options_in(cell: str) -> set[str]:
    """The options a table cell names: every word starting with '-' inside backticks (`--format`, `-f FORMAT`,
    `--lang en\\|pl`)."""
    return {w for span in re.findall(r"`([^`]+)`", cell) for w in span.split() if re.fullmatch(r"--?[a-z][a-z0-9-]*", w)}


def documented(readme: str) -> dict[str, set[str]]:
    """Command -> options named in README's "## Options" section: the tables under "### `scan`" and "### `batch`"
    (options in the first column) and the "### Other commands" table (command, options, what); other
    subsections (exit codes) name options without documenting them."""
    section = readme.split("\n## Options\n", 1)[1].split("\n## ", 1)[0]
    out: dict[str, set[str]] = {}
    for sub in section.split("\n### ")[1:]:
        heading, _, body = sub.partition("\n")
        rows = [_cells(ln) for ln in body.splitlines() if ln.startswith("|") and not re.match(r"\|[-| ]+\|$", ln)]
        named = re.fullmatch(r"`([a-z ]+)`", heading.strip())
        if named:
            found = out.setdefault(named.group(1), set())
            for cells in rows[1:]:  # the first row is the header
                found |= _options_in(cells[0])
        elif heading.strip() == "Other commands":
            for cells in rows[1:]:
                command = " ".join(re.findall(r"(?:^|\s)([a-z]+)(?=\s|$)", cells[0].strip("`").split("`")[0]))
                out.setdefault(command, set()).update(_options_in(cells[1]))
    return out


def problems(readme: str, cli: dict[str, set[str]]) -> list[str]:
    docs = documented(readme)
    out = []
    for command, opts in sorted(cli.items()):
        if command not in docs:
            out.append(f"{command}: not in README's option tables")
            continue
        out += [f"{command} {o}: not documented in README" for o in sorted(opts - docs[command])]
    for command, opts in sorted(docs.items()):
        if command not in cli:
            out.append(f"{command}: documented in README, not a command")
            continue
        out += [f"{command} {o}: in README, not an option of the command" for o in sorted(opts - cli[command] - EVERYWHERE)]
    return out


def test_every_option_of_every_command_is_documented_and_every_documented_option_exists():
    cli = cli_options()
    assert {"scan", "batch", "report", "diff", "history", "merge", "rules list", "rules show", "rules check",
            "eval"} <= set(cli)
    assert problems(README, cli) == []


def test_the_check_finds_a_missing_a_stale_and_an_undocumented_option():
    cli = cli_options()
    stale = README.replace("| `--demo` |", "| `--demo`, `--demo-shop` |", 1)
    assert problems(stale, cli) == ["scan --demo-shop: in README, not an option of the command"]
    missing = README.replace("| `--fresh` | start a new run instead of resuming the last one |\n", "", 1)
    assert problems(missing, cli) == ["batch --fresh: not documented in README"]
    renamed = {**cli, "history": cli["history"] | {"--since"}}
    assert problems(README, renamed) == ["history --since: not documented in README"]
    gone = {k: v for k, v in cli.items() if k != "merge"}
    assert problems(README, gone) == ["merge: documented in README, not a command"]


def test_every_config_key_is_in_the_readme_example():
    block = README.split("## Project configuration (CI)", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    top = block.split("\n[", 1)[0]  # keys of the file itself, before its first table
    keys = set(re.findall(r"^([a-z_]+) =", top, re.M)) | set(re.findall(r"^\[([a-z_]+)[.\]]", block, re.M))
    assert keys == set(CONFIG_KEYS)


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def test_the_table_of_contents_lists_every_section_and_its_links_land():
    headings = re.findall(r"^## (.+)$", README, re.M)
    toc = README.split("## Quick start", 1)[0]
    links = re.findall(r"^- \[[^\]]+\]\(#([^)]+)\)", toc, re.M)
    assert links == [_slug(h) for h in headings]
    anchors = {_slug(h) for h in re.findall(r"^#{2,4} (.+)$", README, re.M)}
    for target in re.findall(r"\]\(#([^)]+)\)", README):
        assert target in anchors, target


def test_the_formats_in_readme_and_in_help_are_the_renderers():
    from trustaudit.cli import FORMAT_HELP, OUTPUT_HELP
    from trustaudit.render import EXTENSIONS, Format

    row = next(ln for ln in README.splitlines() if ln.startswith("| `--format`, `-f FORMAT` |"))
    named = set(re.findall(r"`([a-z]+)`", _cells(row)[1]))
    assert named == {f.value for f in Format}
    assert all(f.value in FORMAT_HELP for f in Format) and all(e in OUTPUT_HELP for e in EXTENSIONS.values())
    row = next(ln for ln in README.splitlines() if ln.startswith("| `--output`, `-o FILE` |"))
    assert set(re.findall(r"\.[a-z]+", _cells(row)[1].split("`")[1])) == set(EXTENSIONS.values())


def _commands() -> dict[str, object]:
    out: dict[str, object] = {}

    def walk(cmd, path: str) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, f"{path} {name}".strip())
        if not getattr(cmd, "commands", None):
            out[path] = cmd

    walk(typer.main.get_command(app), "")
    return out


def test_every_option_shows_a_human_metavar_and_batch_shares_scans_declarations():
    from typer.testing import CliRunner

    for command in _commands():
        text = CliRunner().invoke(app, [*command.split(), "-h"], terminal_width=200).output
        assert not re.search(r"<(str|int|float|path|int range|float range|text)>", text), (command, text)
    cmds = _commands()
    scan, batch = ({p.opts[0]: p for p in cmds[c].params} for c in ("scan", "batch"))
    shared = set(scan) & set(batch) - {"--fail-under", "--quiet"}  # these two say different things
    assert len(shared) >= 14
    for opt in shared:
        assert (scan[opt].help, scan[opt].metavar, scan[opt].secondary_opts) == (
            batch[opt].help, batch[opt].metavar, batch[opt].secondary_opts), opt
