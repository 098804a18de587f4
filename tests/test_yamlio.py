"""YAML reading: libyaml's parser with our loader gives what PyYAML's pure-Python SafeLoader gives
(timestamps kept as strings), duplicate keys are errors, and every key's line is known."""

from __future__ import annotations

import pytest
import yaml

from kb import yamlio
from kb.errors import ContentError
from tests.conftest import ROOT


class _Reference(yaml.SafeLoader):
    """PyYAML's pure-Python SafeLoader, with timestamps left as strings as yamlio leaves them."""

    yaml_implicit_resolvers = yamlio._Loader.yaml_implicit_resolvers


def _reference(text: str):
    """The data as PyYAML's pure-Python loader builds it."""
    loader = _Reference(text)
    try:
        node = loader.get_single_node()
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


DOCUMENTS = [
    ("strings", "title: Tương lai AI\nslug: tuong-lai\n"),
    ("nested", "title:\n  vi: Tương lai\n  en: Future\ntags: [ai, llm]\n"),
    ("scalars", "n: 12\nf: 1.5\nhex: 0x1F\nsexagesimal: 1:30\nflag: no\nnull_: ~\nempty:\non: On\ninf: .inf\n"),
    (
        "implicit types",
        "- ''\n- null\n- Null\n- NULL\n- .nan\n- -1\n- +1\n- 0b101\n- 1_000\n- 0o17\n- Yes\n- ON\n"
        "- 'yes'\n- -.5e3\n- .Inf\n- 1e3\n- 190:20:30\n- ~\n- 'null'\n- \"3\"\n- x\n-\n- Tương\n",
    ),
    ("timestamps stay strings", "published: 2023-05-14T16:01+07:00\nday: 2024-02-30\n"),
    ("quoted numbers are strings", "a: '12'\nb: \"true\"\n"),
    ("non-string keys", "3: three\ntrue: yes\n~: nothing\n2.5: x\n"),
    ("mixed keys", "a: 1\n2: b\n"),
    ("anchors and aliases", "base: &b {x: 1, y: [1, 2]}\nuse: *b\nlist: &l [a, b]\nagain: [*l, *l]\n"),
    ("merge keys", "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n"),
    ("merge list", "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n"),
    ("explicit tags", "a: !!str 12\nb: !!int '7'\nc: !!float '2'\nd: !!binary aGVsbG8=\n"),
    ("set and omap", "s: !!set {a, b}\no: !!omap [x: 1, y: 2]\np: !!pairs [x: 1, x: 2]\n"),
    ("explicit map and seq tags", "a: !!map {k: v}\nb: !!seq [1, 2]\n"),
    ("list at the top", "- id: a\n  n: 1\n- id: b\n  tags: [x]\n"),
    ("scalar at the top", "just text\n"),
    ("number at the top", "42\n"),
    ("empty document", "# only a comment\n"),
    ("block scalars", "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n"),
    ("deep", "a:\n  b:\n    c:\n      - d: [e, {f: g}]\n"),
]


@pytest.mark.parametrize("text", [t for _, t in DOCUMENTS], ids=[i for i, _ in DOCUMENTS])
def test_load_builds_what_pyyaml_builds(text):
    data, _ = yamlio.load(text, "x.yml")
    expected = _reference(text)
    assert data == expected
    assert repr(data) == repr(expected)  # same types and key order, not only equal values


def test_aliases_are_built_once():
    data, _ = yamlio.load("base: &b {x: [1]}\nuse: *b\nloop: &l [1, *l]\n", "x.yml")
    assert data["use"] is data["base"]
    assert data["loop"][0] == 1 and data["loop"][1] is data["loop"]


# (id, text, expected fragments of the error)
BAD = [
    ("duplicate key", "a: 1\nb: 2\na: 3\n", ["x.yml:3", "duplicate key 'a' (first on line 1)"]),
    ("nested duplicate", "t:\n  vi: a\n  vi: b\n", ["x.yml:3", "duplicate key 'vi' (first on line 2)"]),
    # The outer mapping's keys are checked before what is under them, as the constructors do.
    ("outer before inner", "t:\n  v: 1\n  v: 2\nt: 3\n", ["x.yml:4", "duplicate key 't' (first on line 1)"]),
    ("duplicate in a list item", "- id: a\n  id: b\n", ["x.yml:2", "duplicate key 'id'"]),
    ("duplicate non-string key", "1: a\n1: b\n", ["x.yml:2", "duplicate key 1"]),
    ("unhashable key", "? [a, b]\n: c\n", ["x.yml:1", "a key cannot be a list"]),
    ("list tagged as a string", "? !!str [a]\n: b\n", ["x.yml:1", "expected a scalar node"]),
    ("mapping tagged as a string", "k: 1\n? !!str {a: 1}\n: b\n", ["x.yml:2", "expected a scalar node"]),
    ("broken", "a: [b\n", ["x.yml", "broken YAML"]),
    ("unknown tag", "a: 1\nb: !thing x\n", ["x.yml:2", "broken YAML", "!thing"]),
    ("value key", "a: =\n", ["x.yml:1", "broken YAML"]),
]


@pytest.mark.parametrize(("text", "fragments"), [(t, f) for _, t, f in BAD], ids=[i for i, _, _ in BAD])
def test_bad_yaml_is_one_clear_problem(text, fragments):
    with pytest.raises(ContentError) as caught:
        yamlio.load(text, "x.yml")
    message = str(caught.value.problems[0])
    for fragment in fragments:
        assert fragment in message


def test_key_lines_are_found_when_looked_up():
    text = "title:\n  vi: a\n  en: b\nevents:\n  - date: x\n    tags: [p, q]\n"
    _, lines = yamlio.load(text, "x.yml", line_offset=1)
    assert dict(lines) == {
        "title": 2,
        "title.vi": 3,
        "title.en": 4,
        "events": 5,
        "events.0": 6,
        "events.0.date": 6,
        "events.0.tags": 7,
        "events.0.tags.0": 7,
        "events.0.tags.1": 7,
    }
    assert lines.get("title.en") == 4 and lines.get("nope") is None


def test_every_real_yaml_file_loads_as_before():
    paths = [*ROOT.glob("seeds/*.yml"), *ROOT.glob("data/*.yml"), *ROOT.glob("docs/*/articles/*.md")]
    assert len(paths) >= 15
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.split("---\n", 2)[1]
        data, lines = yamlio.load(text, path.name)
        assert data == _reference(text), path
        assert dict(lines) == yamlio.key_lines(yaml.compose(text, Loader=yamlio._Loader)), path
