"""Site layouts: what a site's pages need beyond the general method, as data.

``data/sites.yml`` lists sites by host name; a seed's own ``ingest:`` block
can say the same for one capture. Every rule is a regular expression matched
against a whole line (stripped, case-insensitive):

    - hosts: [baogiaothong.vn]
      end_at: ["Cùng chủ đề"]          # the article ends before this line
      drop: ["^Chia sẻ$"]              # lines that are page furniture wherever they are
      caption_after: ["- Ảnh \\d+\\.?$"]  # a photo placeholder: the next line is its caption
      caption: ["^Ảnh: "]              # lines that are captions themselves
      start_after: ["^Công nghệ$"]     # the article starts after this line

A site's rules add to the general ones; a seed's rules add to its site's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from kb import yamlio
from kb.errors import ContentError, Problem
from kb.textutil import read_text


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
    return value


Regex = Annotated[str, AfterValidator(_regex)]


class LayoutRules(BaseModel):
    """Rules for one site or one seed (every field optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_after: list[Regex] = Field(default_factory=list)
    end_at: list[Regex] = Field(default_factory=list)
    drop: list[Regex] = Field(default_factory=list)
    caption_after: list[Regex] = Field(default_factory=list)
    caption: list[Regex] = Field(default_factory=list)


class Site(LayoutRules):
    hosts: list[str] = Field(min_length=1)
    name: str | None = None


@dataclass(frozen=True)
class Layout:
    """The compiled rules in force for one capture."""

    start_after: tuple[re.Pattern[str], ...] = ()
    end_at: tuple[re.Pattern[str], ...] = ()
    drop: tuple[re.Pattern[str], ...] = ()
    caption_after: tuple[re.Pattern[str], ...] = ()
    caption: tuple[re.Pattern[str], ...] = ()

    def plus(self, rules: LayoutRules) -> Layout:
        extra = {name: tuple(re.compile(r, re.I) for r in getattr(rules, name)) for name in _RULES}
        return Layout(**{name: getattr(self, name) + extra[name] for name in _RULES})

    @staticmethod
    def matches(patterns: tuple[re.Pattern[str], ...], line: str) -> bool:
        return any(p.search(line) for p in patterns)


_RULES = ("start_after", "end_at", "drop", "caption_after", "caption")


@dataclass(frozen=True)
class Sites:
    """Every site's rules, looked up by a capture's address or publisher."""

    sites: tuple[Site, ...] = ()
    by_host: dict[str, Site] = field(default_factory=dict)

    def for_capture(self, url: str | None, publisher: str | None) -> Site | None:
        host = (urlsplit(url).hostname or "") if url else ""
        host = host.removeprefix("www.")
        if host and (site := self.by_host.get(host)):
            return site
        if publisher:
            for site in self.sites:
                if site.name and site.name.casefold() == publisher.casefold():
                    return site
        return None


NO_SITES = Sites()


def load_sites(path: Path, shown: str) -> Sites:
    """Read ``data/sites.yml``; a missing file means no site rules."""
    if not path.is_file():
        return NO_SITES
    data, lines = yamlio.load(read_text(path, shown), shown)
    if data is None:
        return NO_SITES
    if not isinstance(data, list):
        raise ContentError(Problem(shown, "is not a list of sites", line=1, expected="'- hosts: [example.com]' items"))
    sites = []
    for index, item in enumerate(data):
        try:
            sites.append(Site.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise ContentError(
                Problem(
                    shown,
                    error["msg"],
                    line=lines.get(f"{index}.{where}") or lines.get(str(index)),
                    field=f"[{index}].{where}" if where else f"[{index}]",
                    expected="hosts (a list of host names) and the rules described at the top of the file",
                )
            ) from None
    by_host = {host.removeprefix("www.").casefold(): site for site in sites for host in site.hosts}
    return Sites(tuple(sites), by_host)
