"""YAML reading that keeps line numbers and refuses ambiguous values.

Timestamps stay strings (dates are parsed by the schema, with a clear
message), and every key's line is recorded so errors can say where.
"""

from __future__ import annotations

import re
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


_STR = "tag:yaml.org,2002:str"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    # Plain string keys are equal exactly when their texts are: no need to construct them twice.
    plain = all(isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR for key_node, _ in node.value)
    for key_node, _ in node.value:
        key = key_node.value if plain else loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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


def load(text: str, shown: str, *, line_offset: int = 0) -> tuple[Any, dict[str, int]]:
    """Parse YAML text; return the data and the line of every key."""
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
    return data, key_lines(node, offset=line_offset)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*\n?", re.S | re.M)


def split_front_matter(text: str, shown: str, *, required: bool = True) -> tuple[dict, dict[str, int], str, int]:
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
