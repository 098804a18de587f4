"""``kb suggest --accept DRAFT``: add the items a contributor marked in a draft, all or nothing.

A draft is what ``kb suggest`` wrote (:mod:`kb.knowledge.suggest`): lists of
``events``, ``entities`` and ``terms``, each item with ``accept: true`` or
``false`` and a ``context`` for the reader. Every accepted item, without
those two keys, goes through the same checks as ``kb new event|entity|term``
(:func:`kb.scaffold.add_items`); each problem names the draft, the line and
the field, and nothing is written unless every accepted item is right.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kb import yamlio
from kb.errors import ContentError, Problem
from kb.scaffold import add_items, event_id
from kb.textutil import read_text, slugify

SECTIONS = {"events": "events", "entities": "entities", "terms": "glossary"}
FOR_THE_READER = ("accept", "context")


def _default_id(section: str, item: dict[str, Any]) -> str | None:
    def en(key: str) -> str:
        value = item.get(key)
        return str(value.get("en") or "") if isinstance(value, dict) else ""

    if section == "events":
        return event_id(str(item.get("date") or ""), en("title")) if en("title") else None
    return slugify(en("name" if section == "entities" else "term")) or None


def load_draft(path: Path, shown: str) -> tuple[list[tuple[str, int, dict[str, Any]]], Mapping[str, int]]:
    """The accepted items of a draft as (section, index, item), and the line of every key."""
    data, lines = yamlio.load(read_text(path, shown), shown)
    if not isinstance(data, dict):
        raise ContentError(Problem(shown, "is not a kb suggest draft", line=1, expected="events:, entities:, terms:"))
    problems, accepted = [], []
    for key in data:
        if key not in {"article", *SECTIONS}:
            problems.append(
                Problem(
                    shown, f"unknown key {key!r}", line=lines.get(str(key)), expected="article, events, entities, terms"
                )
            )
    for section in SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list):
            problems.append(Problem(shown, "is not a list", line=lines.get(section), field=section, expected="a list"))
            continue
        for index, raw in enumerate(items):
            where = f"{section}.{index}"
            if not isinstance(raw, dict):
                problems.append(
                    Problem(shown, "is not an item", line=lines.get(where), field=where, expected="key: value")
                )
                continue
            flag = raw.get("accept", False)
            if not isinstance(flag, bool):
                problems.append(
                    Problem(
                        shown,
                        f"accept is {flag!r}",
                        line=lines.get(f"{where}.accept"),
                        field=f"{where}.accept",
                        expected="true (add it) or false (leave it out)",
                    )
                )
                continue
            if flag:
                item = {k: v for k, v in raw.items() if k not in FOR_THE_READER}
                if not item.get("id") and (made := _default_id(section, item)):
                    item = {"id": made, **{k: v for k, v in item.items() if k != "id"}}
                accepted.append((section, index, item))
    if problems:
        raise ContentError(problems)
    return accepted, lines


def accept(root: Path, draft: Path, shown: str | None = None) -> list[tuple[str, Path, int]]:
    """Append every accepted item of a draft to data/; return (id, data file, line) of each."""
    shown = shown or str(draft)
    if not draft.is_file():
        raise ContentError(Problem(shown, "is not a file", expected="a draft written by kb suggest"))
    accepted, lines = load_draft(draft, shown)
    if not accepted:
        raise ContentError(
            Problem(
                shown, "accepts nothing", expected="`accept: true` on each item to add (and both languages filled in)"
            )
        )

    def place(n: int, problem: Problem) -> Problem:
        """A problem of the n-th accepted item, told at its line in the draft."""
        section, index, item = accepted[n]
        field = problem.field or ""
        if item.get("id") and field.startswith(f"{item['id']}."):  # kb check's form: '<id>.<field>'
            field = field[len(item["id"]) + 1 :]
        where = f"{section}.{index}"
        line = None
        parts = field.split(".") if field else []
        while parts and line is None:  # the deepest key the draft has
            line = lines.get(f"{where}.{'.'.join(parts)}")
            parts.pop()
        if line is None:
            line = lines.get(where)
        return Problem(
            shown,
            problem.message,
            line=line,
            field=f"{where}.{field}" if field else where,
            expected=problem.expected,
        )

    batch = [(SECTIONS[section], item) for section, _, item in accepted]
    written = add_items(root, batch, place)
    return [(item["id"], path, line) for (_, _, item), (path, line) in zip(accepted, written, strict=True)]
