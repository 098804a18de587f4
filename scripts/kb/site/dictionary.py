"""The /downloads/ page: every file to download and the field dictionary, from ``data/downloads.yml``.

The tables and their columns are :data:`kb.site.downloads.TABLES`; what each
column means, in both languages, is data. Loading checks that the two agree:
a column without a meaning, or a meaning for no column, is one problem naming
the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from kb import yamlio
from kb.content.schema import Localized, Strict, problems_from
from kb.errors import ContentError, Problem
from kb.knowledge.facts import parse_event_date
from kb.site import downloads, feeds, knowledge_pages, paging
from kb.site.downloads import FORMATS, TABLES, file_path
from kb.textutil import read_text

if TYPE_CHECKING:
    from kb.site.pages import Site

DATA_FILE = "downloads.yml"
# One date of each precision, for the table of how dates are written (computed, so it says what the code does).
EXAMPLES = ("2024-09-12", "2024-09", "2025-Q1", "2024", "1960s")


class TableText(Strict):
    about: Localized
    fields: dict[str, Localized]


class PageText(Strict):
    intro: Localized
    csv_files: Localized
    json_files: Localized
    calendar: Localized
    feeds: Localized
    dates: Localized


class DictionaryData(Strict):
    text: PageText
    tables: dict[str, TableText]


def load_dictionary(data_dir: Path, root: Path) -> DictionaryData:
    """``data/downloads.yml``, checked: every table and column described, nothing else."""
    path = data_dir / DATA_FILE
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    data, lines = yamlio.load(read_text(path, shown), shown)
    try:
        loaded = DictionaryData.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems_from(exc, shown, lines, DictionaryData)) from None
    problems = []
    for table, columns in TABLES.items():
        described = loaded.tables.get(table)
        if described is None:
            problems.append(
                Problem(shown, f"table {table!r} is not described", line=lines.get("tables"), field=f"tables.{table}")
            )
            continue
        names = [c.name for c in columns]
        for name in names:
            if name not in described.fields:
                problems.append(
                    Problem(
                        shown,
                        f"field {name!r} of {table} has no meaning",
                        line=lines.get(f"tables.{table}.fields"),
                        field=f"tables.{table}.fields.{name}",
                        expected="its meaning in vi and en",
                    )
                )
        for name in described.fields:
            if name not in names:
                problems.append(
                    Problem(
                        shown,
                        f"{table} has no field {name!r}",
                        line=lines.get(f"tables.{table}.fields.{name}"),
                        field=f"tables.{table}.fields.{name}",
                        expected="one of " + ", ".join(names),
                    )
                )
    for table in loaded.tables:
        if table not in TABLES:
            problems.append(
                Problem(
                    shown,
                    f"no table {table!r}",
                    line=lines.get(f"tables.{table}"),
                    field=f"tables.{table}",
                    expected="one of " + ", ".join(TABLES),
                )
            )
    if problems:
        raise ContentError(problems)
    return loaded


def _link(fmt: str, table: str) -> str:
    return f"[{fmt.upper()}]({paging.link(downloads.PAGE, file_path(table, fmt))})"


def _nowrap(text: str) -> str:
    return f'<span class="kb-nowrap">{text}</span>'


def _dates_table(site: Site) -> list[str]:
    ui = site.ui
    rows = [
        f"| {ui('dict_precision')} | `date` | {ui('dict_label')} | `start` – `end` | {ui('dict_ical')} |",
        "|---|---|---|---|---|",
    ]
    for raw in EXAMPLES:
        date = parse_event_date(raw)
        start, end = downloads.period(date)
        after = end + dt.timedelta(days=1)
        rows.append(
            f"| {ui('precision_' + date.precision)} (`{date.precision}`) | {_nowrap(date.iso())} | "
            f"{knowledge_pages.event_date(date, ui)} | {_nowrap(start.isoformat())} – {_nowrap(end.isoformat())} | "
            f"{start.strftime('%Y%m%d')} – {after.strftime('%Y%m%d')} |"
        )
    return rows


def page(site: Site, text: DictionaryData) -> str:
    """The /downloads/ page of one language: the files, the feeds, the dates, then each table's fields."""
    lang, ui, k, project = site.lang, site.ui, site.knowledge, site.project
    counts = {
        "events": len(k.events),
        "entities": len(k.entities),
        "topics": len(k.topics),
        "glossary": len(k.terms),
        "articles": len(project.articles),
    }
    out = [
        paging.front(ui("downloads_title")),
        f"# {ui('downloads_title')}\n",
        f"{text.text.intro[lang]}\n",
        f"## {ui('downloads_files')} {{#files}}\n",
        f"| {ui('dict_data')} | {ui('dict_files')} | {ui('dict_count')} |",
        "|---|---|---|",
    ]
    for table in TABLES:
        links = ", ".join(_link(fmt, table) for fmt in FORMATS)
        if table == "events":
            links += f", [iCalendar (.ics)]({paging.link(downloads.PAGE, downloads.CALENDAR)})"
        out.append(f"| [{ui('downloads_' + table)}](#{table}) | {links} | {counts[table]} |")
    out += ["", f"*{ui('downloads_notice')}*\n", f"## {ui('downloads_feeds')} {{#feeds}}\n"]
    for name in feeds.FEEDS:
        atom = f"[Atom]({paging.link(downloads.PAGE, feeds.feed_path(name, 'atom'))})"
        json_feed = f"[JSON Feed]({paging.link(downloads.PAGE, feeds.feed_path(name, 'json'))})"
        out.append(f"- **{ui('feed_' + name)}**: {atom} · {json_feed}. {ui('feed_' + name + '_about')}")
    out += ["", f"{text.text.feeds[lang]}\n", f"## {ui('downloads_dates')} {{#dates}}\n", f"{text.text.dates[lang]}\n"]
    out += [*_dates_table(site), ""]
    out += [f"## {ui('downloads_calendar')} {{#calendar}}\n", f"{text.text.calendar[lang]}\n"]
    out += [
        f"## {ui('downloads_formats')} {{#formats}}\n",
        f"{text.text.csv_files[lang]}\n",
        f"{text.text.json_files[lang]}\n",
    ]
    for table, columns in TABLES.items():
        described = text.tables[table]
        links = ", ".join(_link(fmt, table) for fmt in FORMATS)
        out += [
            f"## {ui('downloads_' + table)} {{#{table}}}\n",
            f"{described.about[lang]} {links}.\n",
            f"| {ui('dict_field')} | {ui('dict_type')} | {ui('dict_values')} | {ui('dict_meaning')} |",
            "|---|---|---|---|",
        ]
        for column in columns:
            kind = ui("kind_" + column.kind)
            if column.optional:
                kind += f" ({ui('dict_optional')})"
            values = ", ".join(f"`{v}`" for v in column.values) or "—"
            out.append(f"| `{column.name}` | {kind} | {values} | {described.fields[column.name][lang]} |")
        out.append("")
    return "\n".join(out)
