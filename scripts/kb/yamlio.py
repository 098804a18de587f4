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
    return data, _KeyLines(node, line_offset)


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
