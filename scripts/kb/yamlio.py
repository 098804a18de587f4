"""YAML reading that keeps line numbers and refuses ambiguous values.

Timestamps stay strings (dates are parsed by the schema, with a clear
message), duplicate keys are errors, and every key's line is recorded so
errors can say where. Parsing is libyaml's (PyYAML's CSafeLoader), building
is PyYAML's own constructors.

A hand-written resolver and constructor stood here for speed until issue 24:
measured on the 959 YAML documents of a 500-article benchmark corpus (1.1 MB;
seven alternating rounds) they took 0.24 s against PyYAML's 0.38 s, which is
0.14 s of a build of about a minute there, far inside the build's run-to-run
noise (10-15%), so the library's own code is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kb.errors import ContentError, Problem

# libyaml's parser when PyYAML was built with it (the wheels are): several times faster.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter, for the same reason


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """SafeLoader without implicit timestamps; duplicate keys are errors."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_MERGE = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    own = [key_node for key_node, _ in node.value if key_node.tag != _MERGE]  # merged keys may be overridden
    for key_node in own:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a key cannot be a {type(key).__name__}", key_node.start_mark
            ) from None
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {first + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _KeyLines(Mapping[str, int]):
    """:func:`key_lines` of a node, found when first asked for: they are needed only to report a problem."""

    def __init__(self, node: yaml.Node | None, offset: int) -> None:
        self._node, self._offset, self._lines = node, offset, None

    def _found(self) -> dict[str, int]:
        if self._lines is None:
            self._lines = key_lines(self._node, offset=self._offset)
            self._node = None
        return self._lines

    def __getitem__(self, key: str) -> int:
        return self._found()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def key_lines(node: yaml.Node | None, prefix: str = "", offset: int = 0) -> dict[str, int]:
    """Map dotted key paths ('title.vi', 'events.3.date') to 1-based line numbers."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = f"{prefix}{key_node.value}"
            lines[path] = key_node.start_mark.line + 1 + offset
            lines.update(key_lines(value_node, path + ".", offset))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}{index}"
            lines[path] = item.start_mark.line + 1 + offset
            lines.update(key_lines(item, path + ".", offset))
    return lines


def load(text: str, shown: str, *, line_offset: int = 0) -> tuple[Any, Mapping[str, int]]:
    """Parse YAML text; return the data and the line of every key (found when first looked up)."""
    data, node = _compose(text, shown, line_offset)
    return data, _KeyLines(node, line_offset)


def _compose(text: str, shown: str, line_offset: int) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text: the data, and the node it was built from (where every key's line is)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        what = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            opened = exc.context.removeprefix("while parsing ")
            what += f" (in the {opened} opened on line {exc.context_mark.line + 1 + line_offset})"
        raise ContentError(Problem(shown, f"broken YAML: {what}", line=line, expected="valid YAML")) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(shown, f"broken YAML: {exc}", expected="valid YAML")) from None
    finally:
        loader.dispose()
    return data, node


# A list written as the data files are: an item starts at a line "- ..." (or "-") at the margin, and
# every other line is indented, a comment or blank.
_ITEM_START = re.compile(r"^-(?: |$)", re.M)
_OTHER_TOP_LINE = re.compile(r"^(?:[^ #\n-]|-[^ \n])", re.M)
_BLANK_OR_COMMENTS = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*\Z")
# What may be an anchor ("&name" where a value starts): an item could then mean something in another.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&\S")


@dataclass(frozen=True)
class ListItem:
    """One item of a list loaded by :func:`load_list`: its value, and its key lines as its text alone
    gives them (a list of this one item: "0", "0.id"...), counted from the text's first line."""

    value: Any
    lines: Mapping[str, int]


def list_items(text: str) -> list[tuple[int, str]] | None:
    """A YAML list cut into its items' texts, each with the number of lines before it.

    None unless the text is plainly such a list: blank and comment lines before the first item, and no
    other line at the margin than an item's first (no document marker, directive or key). In such a
    list, a line at the margin ends whatever the item above it was writing, unless a quoted string or a
    bracket is left open, and then that item's text alone is broken YAML or swallows the next item.
    """
    starts = [m.start() for m in _ITEM_START.finditer(text)]
    if not starts or _OTHER_TOP_LINE.search(text) or not _BLANK_OR_COMMENTS.match(text[: starts[0]]):
        return None
    items, line = [], text.count("\n", 0, starts[0])
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        items.append((line, text[start:end]))
        line += text.count("\n", start, end)
    return items


def load_list(
    text: str, shown: str, known: Mapping[str, ListItem] | None = None
) -> tuple[Any, Mapping[str, int], list[tuple[str, ListItem]] | None]:
    """:func:`load` for a data file that is a list, parsing only the items whose text is not in ``known``
    (what an earlier load of the file returned); and each item's text and what it is, in order, for
    the next load.

    The items not known are parsed together, in one document (a file loaded for the first time: at
    the cost of parsing it whole). What an item's text means does not depend on the others (see
    :func:`list_items`), unless an item is broken, swallows the next, or names an anchor another refers
    to: then, and when the text is not plainly a list, the whole text is loaded as :func:`load` does
    (for the same data, or the same error at the same line), and no items are returned.
    """
    items = list_items(text)
    if items is None or _ANCHOR.search(text):
        return *load(text, shown), None
    known = known or {}
    missing = list(dict.fromkeys(item for _, item in items if item not in known))
    found: dict[str, ListItem] = {}
    if missing:
        try:
            data, node = _compose("".join(missing), shown, 0)
        except ContentError:
            data = node = None
        if not isinstance(data, list) or len(data) != len(missing) or not isinstance(node, yaml.SequenceNode):
            return *load(text, shown), None
        first = 0  # the item's first line in the document of the missing items
        for value, item_node, item in zip(data, node.value, missing, strict=True):
            found[item] = ListItem(value, _KeyLines(yaml.SequenceNode(node.tag, [item_node]), -first))
            first += item.count("\n")
    parts = [(item, known.get(item) or found[item]) for _, item in items]
    lines = _ListLines([(offset, part.lines) for (offset, _), (_, part) in zip(items, parts, strict=True)])
    return [part.value for _, part in parts], lines, parts


class _ListLines(Mapping[str, int]):
    """The key lines of a list loaded item by item (:func:`load_list`), as :func:`load` gives them for
    the whole list, from each item's line offset and its key lines (:attr:`ListItem.lines`)."""

    def __init__(self, parts: list[tuple[int, Mapping[str, int]]]) -> None:
        self._parts = parts

    def __getitem__(self, key: str) -> int:
        index, dot, rest = key.partition(".")
        if not index.isdigit() or str(int(index)) != index or int(index) >= len(self._parts):
            raise KeyError(key)
        offset, lines = self._parts[int(index)]
        return lines["0" + dot + rest] + offset

    def __iter__(self) -> Iterator[str]:
        for index, (_, lines) in enumerate(self._parts):
            yield from (f"{index}{key[1:]}" for key in lines)

    def __len__(self) -> int:
        return sum(len(lines) for _, lines in self._parts)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*\n?", re.S | re.M)


def split_front_matter(text: str, shown: str, *, required: bool = True) -> tuple[dict, Mapping[str, int], str, int]:
    """Split Markdown into (front-matter, key lines, body, body's first line)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if required:
            raise ContentError(
                Problem(shown, "has no front-matter", line=1, expected="a YAML block between '---' lines at the top")
            )
        return {}, {}, text, 1
    data, lines = load(match.group(1), shown, line_offset=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(Problem(shown, "front-matter is not a mapping", line=2, expected="'key: value' lines"))
    body = text[match.end() :]
    return data, lines, body, text[: match.end()].count("\n") + 1


def dump(data: Any) -> str:
    """Deterministic, readable YAML (insertion order, UTF-8, no line wrapping)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
