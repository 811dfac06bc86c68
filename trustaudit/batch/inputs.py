"""Read the shop list (streamed, never loaded whole) and give every shop a stable identity.

A shop's identity is its *normalised URL* (``Shop.key``): what resume, sharding, history and merge key on.
It is computed here, not by the crawler's de-duplication helpers, so that it never changes under our feet
(a change would re-shuffle shards and break history).

Lists hold URLs: lists are often written by someone else than the person running the batch, and a line such
as ``/etc/passwd`` must not be read and scored as a shop. A local path is refused row by row with a reason,
unless ``allow_local`` (``--allow-local``) is given, and even then only folders (saved sites) and ``.html`` /
``.htm`` files (saved pages) are read, judged by where the path really leads (symbolic links resolved).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from trustaudit.render._text import clean_text


class InputError(ValueError):
    """The input file itself is unusable (missing, not text, CSV without a url column): a usage error."""


@dataclass(frozen=True)
class Shop:
    position: int  # 1-based index among the shops of the input file
    target: str  # what pipeline.scan gets: the URL as written, or the resolved local path
    key: str  # normalised URL (file:// URI for a local target): the identity of the shop
    host: str  # politeness group: never two scans of one host at once
    name: str = ""
    country: str | None = None
    tags: str = ""
    error: str = ""  # why the row cannot be scanned (listed as failed, never scanned)
    line: int = 0  # line of the input file it was read from (for messages about the row)


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_LOCAL_SUFFIXES = (".html", ".htm")
_HOSTLIKE = re.compile(r"^[\w.-]+(:\d+)?(/.*)?$", re.UNICODE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_FIELD = 2000


def _idna(host: str) -> str:
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def normalise_url(url: str) -> str:
    """``HTTPS://Shop.Example:443/a/?b=1#x`` -> ``https://shop.example/a?b=1``.

    Scheme and host lower-cased (IDN as punycode), user info, default port, fragment and a trailing slash
    dropped, an empty path made ``/``. Query kept as written (it can select a shop on a shared host).
    Raises ValueError for something that is not an http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported URL scheme {scheme!r}")
    host = parts.hostname
    if not host:
        raise ValueError("URL without a host")
    port = parts.port  # ValueError for a bad port
    host = _idna(host)
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def politeness_host(key: str) -> str:
    """The group a shop's scans are serialised in: its host (and explicit port) without ``www.``.

    ``shop.example/pl`` and ``www.shop.example/de`` share a group; a non-default port is another server
    process and gets its own. Local targets are each their own group.
    """
    if key.startswith("file:"):
        return key
    netloc = urlsplit(key).netloc or key
    return netloc[4:] if netloc.startswith("www.") else netloc


def shop_from_raw(position: int, raw_url: str, *, line: int = 0, **row: Any) -> Shop:
    """:func:`_shop_from_raw` (same keywords) with the line of the input file it was read from, if any."""
    shop = _shop_from_raw(position, raw_url, **row)
    return replace(shop, line=line) if line else shop


def _shop_from_raw(
    position: int,
    raw_url: str,
    *,
    name: str = "",
    country: str = "",
    tags: str = "",
    base_dir: Path | None = None,
    allow_local: bool = False,
) -> Shop:
    """One input row -> Shop. Never raises: an unusable row becomes a Shop with ``error`` set.

    ``allow_local``: read local folders and .html/.htm files named by the row (else they are refused)."""
    raw = (raw_url or "").strip()
    name = clean_text(name, 300, newlines=False)
    tags = clean_text(tags, 300, newlines=False)
    ctry = (country or "").strip().upper() or None
    shown = clean_text(raw, 500, newlines=False)

    def bad(why: str) -> Shop:
        key = "invalid:" + (raw or f"#{position}")
        return Shop(position, raw, key, key, name, ctry, tags, error=why)

    if not raw:
        return bad("empty url")
    if ctry and (len(ctry) != 2 or not ctry.isalpha() or not ctry.isascii()):
        return bad(
            f"bad country {clean_text(country, 20, newlines=False)!r} (use a two-letter ISO code such as PL)"
        )
    def local(cands: list[Path]) -> Shop:
        if not allow_local:
            return bad(f"{shown} is a local path: lists hold shop URLs (--allow-local reads saved pages)")
        for cand in cands:
            got = _local(position, cand, raw, name, ctry, tags)
            if isinstance(got, Shop):
                return got
            if got:
                return bad(got)
        return bad(f"no such file or folder: {shown}")

    m = _SCHEME.match(raw)
    if m and len(m.group(1)) > 1:  # a scheme (not a Windows drive letter)
        scheme = m.group(1).lower()
        if scheme == "file":
            return local([Path(unquote(urlsplit(raw).path))])
        try:
            key = normalise_url(raw)
        except ValueError as exc:
            return bad(f"not a shop URL: {shown} ({exc})")
        return Shop(position, raw, key, politeness_host(key), name, ctry, tags)
    path = Path(raw).expanduser()
    candidates = [path] if path.is_absolute() else ([base_dir / path] if base_dir else []) + [path]
    if _looks_like_path(raw) or any(_exists(c) for c in candidates):
        return local(candidates)
    if " " not in raw and "." in raw and _HOSTLIKE.match(raw):  # "shop.example" or "shop.example/path"
        try:
            key = normalise_url("https://" + raw)
        except ValueError as exc:
            return bad(f"not a shop URL: {shown} ({exc})")
        return Shop(position, raw, key, politeness_host(key), name, ctry, tags)
    return bad(f"not a URL and no such file or folder: {shown}")


def _looks_like_path(raw: str) -> bool:
    return raw.startswith(("/", ".", "~", "\\")) or "\\" in raw or bool(re.match(r"^[a-zA-Z]:[\\/]", raw))


def _exists(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return False


def _local(position: int, path: Path, raw: str, name: str, ctry: str | None, tags: str) -> Shop | str | None:
    """A Shop for a saved site (folder) or saved page (.html/.htm file); a reason (str) when the path exists
    but is something else; None when it does not exist."""
    try:
        if not _exists(path):
            return None
        resolved = path.resolve()
        is_dir = resolved.is_dir()
        is_file = resolved.is_file()
    except (OSError, RuntimeError):
        return None
    shown = clean_text(raw, 200, newlines=False)
    if not is_dir and not (is_file and resolved.suffix.lower() in _LOCAL_SUFFIXES
                           and path.suffix.lower() in _LOCAL_SUFFIXES):
        return f"{shown}: only folders and .html/.htm files are read as saved shops"
    key = resolved.as_uri()
    return Shop(position, str(resolved), key, key, name, ctry, tags)


DELIMITERS = (",", ";", "\t")  # Excel writes ';' where the decimal separator is a comma (PL, RU, GR ...), tab
# for "Unicode text"
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _encoding(p: Path) -> str:
    """UTF-8 (a byte order mark tolerated), or UTF-16 when the file starts with its BOM (Excel's "Unicode
    text" export)."""
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    return next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8-sig")


def read_shops(path: str | Path, allow_local: bool = False) -> Iterator[Shop]:
    """Stream the shops of a .csv (header with ``url``; optional ``name``, ``country``, ``tags``; delimited by
    ``,``, ``;`` or tab, found from the header) or of a text file (one URL or path per line; blank lines and
    ``#`` comments skipped). A UTF-8 or UTF-16 byte order mark is tolerated. Relative paths are resolved against
    the input file's folder first, then the working directory.

    Raises InputError for an unusable file (also lazily, from the iteration, for a decode error).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such input file: {path}")
    base = p.resolve().parent
    encoding = _encoding(p)
    try:
        fh = p.open(encoding=encoding, newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with fh:
        try:
            first = _first_content_line(fh)
            fh.seek(0)
            delimiter = _header_delimiter(first)
            if p.suffix.lower() in (".csv", ".tsv") or delimiter:
                yield from _read_csv(fh, base, str(path), allow_local, delimiter or _sniff(first))
            else:
                yield from _read_lines(fh, base, allow_local)
        except UnicodeError as exc:
            raise InputError(f"{path} is not {'UTF-16' if encoding == 'utf-16' else 'UTF-8'} text: {exc}") from None
        except csv.Error as exc:
            raise InputError(f"{path}: bad CSV: {exc}") from None


def _first_content_line(fh) -> str:
    for line in fh:
        s = line.strip()
        if s and not s.startswith("#"):
            return s
    return ""


def _cells(line: str, delimiter: str) -> list[str]:
    return [c.strip().strip('"').strip().lower() for c in next(csv.reader([line], delimiter=delimiter), [])]


def _header_delimiter(line: str) -> str | None:
    """The delimiter that makes ``line`` a header with a ``url`` column, if one does."""
    for d in DELIMITERS:
        cells = _cells(line, d)
        if len(cells) > 1 and "url" in cells:
            return d
    return None


def _sniff(line: str) -> str:
    """The delimiter a header without a ``url`` column most likely uses (for the error message)."""
    try:
        return csv.Sniffer().sniff(line, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _read_csv(fh, base: Path, where: str, allow_local: bool, delimiter: str = ",") -> Iterator[Shop]:
    reader = csv.reader(fh, delimiter=delimiter)
    header: list[str] | None = None
    position = 0
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if "url" not in header:
                found = ", ".join(repr(clean_text(c, 40, newlines=False)) for c in header[:12] if c) or "none"
                raise InputError(
                    f"{where}: the CSV header has no 'url' column; found columns: {found} "
                    f"(separated by {_NAMES.get(delimiter, repr(delimiter))}; expected url, name, country, tags)"
                )
            continue
        cells = dict(zip(header, (c[:_MAX_FIELD] for c in row), strict=False))
        url = cells.get("url", "")
        if url.lstrip().startswith("#"):
            continue
        position += 1
        yield shop_from_raw(
            position,
            url,
            name=cells.get("name", "") or "",
            country=cells.get("country", "") or "",
            tags=cells.get("tags", "") or "",
            base_dir=base,
            allow_local=allow_local,
            line=reader.line_num,
        )
    if header is None:
        raise InputError(f"{where}: empty CSV (expected a header with a 'url' column)")


def _read_lines(fh, base: Path, allow_local: bool) -> Iterator[Shop]:
    position = 0
    for n, line in enumerate(fh, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        position += 1
        yield shop_from_raw(position, s[:_MAX_FIELD], base_dir=base, allow_local=allow_local, line=n)


def duplicates(shops: Iterator[Shop]) -> Iterator[tuple[Shop, Shop]]:
    """(repeat, first) for every shop listed again (same normalised URL): reported, scanned once. Keeps one
    small entry per distinct shop (a hash and the first row)."""
    first: dict[bytes, Shop] = {}
    for shop in shops:
        if shop.error:
            continue
        h = hashlib.blake2b(shop.key.encode("utf-8", "surrogatepass"), digest_size=12).digest()
        seen = first.get(h)
        if seen is None:
            first[h] = Shop(shop.position, "", "", "", line=shop.line)  # the row only, not its texts
        else:
            yield shop, seen


# --------------------------------------------------------------------------- file names


_UNSAFE = re.compile(r"[^a-z0-9.-]+")
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)


def file_stem(shop_key: str) -> str:
    """A safe, collision-proof file name stem for a shop: ``shop.example-1a2b3c4d5e``.

    Readable part from the host (or the local folder name), lower-case ``[a-z0-9.-]``, at most 60 chars;
    the suffix is a hash of the full normalised URL, so two shops never share a file (same host, other
    path or port). Never starts with a dot and never a Windows reserved device name.
    """
    if shop_key.startswith("file:"):
        label = Path(unquote(urlsplit(shop_key).path)).name or "local"
    else:
        try:
            label = urlsplit(shop_key).hostname or "shop"
        except ValueError:
            label = "shop"
    label = _UNSAFE.sub("-", label.lower()).strip(".-")[:60].strip(".-") or "shop"
    if label.split(".")[0] in _WINDOWS_RESERVED:
        label = "_" + label
    digest = hashlib.sha256(shop_key.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{label}-{digest}"
