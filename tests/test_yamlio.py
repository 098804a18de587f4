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


def _loaded(text: str, known=None):
    """What load_list gives, or the problem it raises."""
    try:
        data, lines, items = yamlio.load_list(text, "x.yml", known)
    except ContentError as exc:
        return str(exc.problems[0]), None, None
    return (repr(data), dict(lines)), lines, items


def _whole(text: str):
    try:
        data, lines = yamlio.load(text, "x.yml")
    except ContentError as exc:
        return str(exc.problems[0])
    return repr(data), dict(lines)


LIST = "# Events.\n\n- id: a\n  title: {vi: A, en: A}\n# between\n- id: b\n  tags:\n  - x\n  - y\n"
# (id, text, whether it is loaded item by item)
LISTS = [
    ("a list of mappings", LIST, True),
    ("without a final line end", "- id: a\n- id: b", True),
    ("an empty item and scalars", "- id: a\n-\n- 3\n- text\n", True),
    ("a block scalar", "- t: |\n    one\n\n    two\n- id: b\n", True),
    ("the same item twice", "- id: a\n- id: a\n", True),
    ("an anchor used by another item", "- &a {x: 1}\n- *a\n", False),
    ("a quoted string across items", '- t: "abc\n- def"\n', False),
    ("a bracket across items", "- [a,\n- b]\n", False),
    ("a document marker", "---\n- a\n", False),
    ("a mapping", "a: 1\nb: 2\n", False),
    ("text before the first item", "  x\n- a\n", False),
    ("a broken item", "- a: [b\n- c\n", False),
    ("a duplicate key in an item", "- id: a\n- id: b\n  id: c\n", True),
    ("no item", "# nothing\n", False),
]


@pytest.mark.parametrize(("text", "by_item"), [(t, b) for _, t, b in LISTS], ids=[i for i, _, _ in LISTS])
def test_a_list_loaded_item_by_item_is_what_the_whole_text_gives(text, by_item):
    got, _, items = _loaded(text)
    assert got == _whole(text)
    assert (items is not None) is (by_item and not isinstance(got, str))


# (id, the text before, the text after): loaded after with what the load of before found
EDITS = [
    ("an item changed", LIST, LIST.replace("- id: b\n", "- id: B\n")),
    ("an item added above", LIST, LIST.replace("# between\n", "- id: new\n  n: [1,\n    2]\n# between\n")),
    ("an item removed", LIST, LIST[LIST.index("- id: b") :]),
    ("an item made broken", LIST, LIST.replace("- id: b\n", "- id: [b\n")),
    ("an item swallowing the next", "- a\n- b\n- c\n", '- "a\n- b\n- c"\n'),
    ("an alias to a known item", "- x\n- b\n", "- x\n- *a\n"),
    ("an anchor in a known item", "- x\n- b\n", "- &a x\n- *a\n"),
    ("a duplicate key added", LIST, LIST.replace("  tags:\n", "  id: c\n  tags:\n")),
    ("an undo", LIST.replace("- id: b", "- id: B"), LIST),
]


@pytest.mark.parametrize(("before", "after"), [(b, a) for _, b, a in EDITS], ids=[i for i, _, _ in EDITS])
def test_a_list_loaded_again_parses_only_new_items_and_gives_what_the_whole_text_gives(before, after):
    _, _, items = _loaded(before)
    known = dict(items or [])
    got, _, again = _loaded(after, known)
    assert got == _whole(after)
    for text, item in again or []:
        if text in known:
            assert item is known[text]  # not parsed again


def test_an_item_keeps_its_lines_when_items_above_it_change():
    _, _, items = _loaded(LIST)
    after = "- id: new\n" + LIST
    got, lines, _ = _loaded(after, dict(items))
    assert got == _whole(after) and lines["2.tags.1"] == 10 and lines["0"] == 1
    with pytest.raises(KeyError):
        lines["03"]
