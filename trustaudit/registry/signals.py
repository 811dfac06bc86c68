"""Pure helpers for fake-shop signals that need only data the scan already has (no network)."""

from __future__ import annotations

from collections.abc import Iterable

from trustaudit.registry import data
from trustaudit.registry.models import DomainInfo, RegStatus


def free_mail_addresses(emails: Iterable[str]) -> list[str]:
    """The addresses (as given) whose domain is a free-mail provider (rules/registries.yaml ``free_mail``)."""
    domains, _source = data.free_mail()
    out: list[str] = []
    for e in emails:
        if not e or "@" not in e:
            continue
        domain = e.rsplit("@", 1)[1].strip().rstrip(".").lower()
        if domain in domains and e not in out:
            out.append(e)
    return out


def free_mail_source() -> str:
    return data.free_mail()[1]


def young_domain(info: DomainInfo | None, threshold_days: int | None = None) -> bool | None:
    """True when the domain was registered ``threshold_days`` (rules/registries.yaml ``domain_age``) or fewer
    days ago, False when earlier, None when its age is not known."""
    if info is None or info.status is not RegStatus.ACTIVE or info.age_days is None:
        return None
    limit = data.young_domain_days() if threshold_days is None else threshold_days
    return info.age_days <= limit
