"""The knowledge layer: data integrity, generated pages and their cross-links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.cli import main
from kb.content.project import load_project
from kb.content.schema import parse_pubdate
from kb.knowledge.facts import ENTITY_TYPES, Entity, Knowledge, Term, load_knowledge, parse_event_date, unlinked
from kb.knowledge.mentions import FormIndex, Name, name_of
from kb.site.ui import load_ui
from tests.conftest import ROOT, replace_in

PROJECT = load_project(ROOT)
K = load_knowledge(PROJECT)


def test_data_is_complete_and_valid():
    assert K.problems == []
    assert len(K.events) >= 50
    assert len(K.entities) >= 60
    assert len(K.terms) >= 40
    assert 10 <= len(K.topics) <= 15
    used = {
        "organization",
        "person",
        "model",
        "product",
        "architecture",
        "method",
        "benchmark",
        "competition",
        "report",
    }
    assert {e.type for e in K.entities.values()} == used


def test_every_event_points_to_a_real_section_and_is_in_date_order():
    sections = {
        a.slug: set(re.findall(r"\{#([\w-]+)\}", "".join(t.body for t in a.translations.values())))
        for a in PROJECT.articles
    }
    for event in K.events:
        if event.source.section:
            assert event.source.section in sections[event.source.article], event.id
    keys = [e.date.key for e in K.events]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("raw", "iso", "precision"),
    [
        ("2025-03-16", "2025-03-16", "day"),
        ("2024-09", "2024-09", "month"),
        ("2025-Q1", "2025-Q1", "quarter"),
        ("2024", "2024", "year"),
        ("1960s", "1960s", "decade"),
        (2014, "2014", "year"),
    ],
)
def test_event_dates_keep_their_precision(raw, iso, precision):
    date = parse_event_date(raw)
    assert (date.iso(), date.precision) == (iso, precision)


@pytest.mark.parametrize("raw", ["2025-02-31", "2024-13", "14/05/2023", "1965s", "2025-Q5", "March 2024"])
def test_impossible_or_unknown_event_dates_are_refused(raw):
    with pytest.raises(ValueError):
        parse_event_date(raw)


def names(pairs: list[tuple[str, str]], kind: str = "entity") -> FormIndex:
    return FormIndex(name_of(form, kind, item_id, None, case_by_form=kind == "term") for form, item_id in pairs)


NAMES = [
    ("Nguyễn Văn An", "an"),
    ("Nguyễn Văn Anh", "anh"),
    ("Nguyễn Thị Bình", "binh"),
    ("GPT-4o", "gpt-4o"),
    ("GPT-4o mini", "gpt-4o-mini"),
    ("OpenAI", "openai"),
    (".NET Lab", "dotnet"),
]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ông Nguyễn Văn An nói.", {"an"}),
        ("Ông Nguyễn Văn Anh nói.", {"anh"}),  # not An: a name ends at a word's end
        ("Nguyễn Văn\nAn", set()),  # a name is one line, its words one space apart
        ("Bà Nguyễn Thị Bình và ông Nguyễn Văn An", {"an", "binh"}),
        ("họ Nguyễn, tên Văn An", set()),
        ("dùng GPT-4o mini.", {"gpt-4o-mini"}),  # the longest name wins: GPT-4o is not mentioned inside it
        ("GPT-4o và GPT-4o mini", {"gpt-4o", "gpt-4o-mini"}),
        ("GPT-4o, rồi GPT-4o-mini", {"gpt-4o"}),
        ("GPT-4o-mini", set()),  # neither: a hyphen continues a name
        ("xGPT-4o", set()),
        ("GPT-4o.", {"gpt-4o"}),  # a full stop ends a name
        ("GPT-4o.1 và GPT-4o,5", set()),  # a dot or a comma before a letter or digit continues it
        ("(OpenAI)", {"openai"}),
        ("openai", set()),  # entity names are case-sensitive
        ("tại .NET Lab", {"dotnet"}),  # a name that does not start with a word
        ("", set()),
    ],
)
def test_names_are_found_as_whole_names(text, found):
    assert names(NAMES).found_ids(text) == found


_MARKUP_TEXTS = [
    "![ảnh](a.png) và [liên kết](../b.md) còn ![]() [](x)",
    "!không phải ảnh [chỉ ngoặc] !![hai](c) ![mở](không đóng",
    '<span class="x">chữ</span> `mã [a](b)` {: .kb-lead } {#neo} https://e.com/a?b=c cuối',
    "**OpenAI** [**GPT**](g.md) ***ba*** ** hai sao ** `` ` ``",
    "",
]


@pytest.mark.parametrize("text", _MARKUP_TEXTS)
def test_markup_patterns_match_what_their_optional_image_form_matched(text):
    """Images and links are two literal-first branches (fast to scan for); the matches are the same."""
    from kb.knowledge import facts
    from kb.site import knowledge_pages

    before = r"!?\[[^\]]*\]\([^)]*\)|<[^>]+>|`[^`]*`|\{[:#][^}]*\}|https?://\S+"
    assert facts.prose(text) == re.sub(before, " ", text)
    assert knowledge_pages._PROTECTED.findall(text) == re.findall(before + r"|\*\*[^*]+\*\*", text)


@pytest.mark.parametrize(
    ("raw", "vi", "en"),
    [
        ("2024-05-13T12:00:00+07:00", "12:00, 13/05/2024 (UTC+7)", "13 May 2024, 12:00 (UTC+7)"),
        ("2024-05-13T05:00:00+00:00", "05:00, 13/05/2024 (UTC+0)", "13 May 2024, 05:00 (UTC+0)"),  # the same instant
        ("2024-05-13T05:00:00-03:30", "05:00, 13/05/2024 (UTC-3:30)", "13 May 2024, 05:00 (UTC-3:30)"),
        ("2024-05-13", "13/05/2024", "13 May 2024"),
    ],
)
def test_dates_show_their_own_time_zone_however_often_they_are_formatted(raw, vi, en):
    ui = load_ui(ROOT / "data", ROOT)
    for _ in range(2):  # the second time from the formatted-date cache
        for other in ("2024-05-13T12:00:00+07:00", "2024-05-13T05:00:00+00:00"):
            ui["vi"].date(parse_pubdate(other))
        assert ui["vi"].date(parse_pubdate(raw)) == vi
        assert ui["en"].date(parse_pubdate(raw)) == en


def test_term_forms_in_small_letters_ignore_case_and_capitalised_ones_do_not():
    index = names(
        [("mô hình ngôn ngữ lớn", "llm"), ("mô hình", "model"), ("GAN", "gan"), ("generative AI", "g")], "term"
    )
    assert index.found_ids("Các MÔ HÌNH NGÔN NGỮ LỚN") == {"llm"}  # not "mô hình" inside it
    assert index.found_ids("Mô hình ngôn ngữ") == {"model"}
    assert index.found_ids("GAN, không phải gan hay Gan") == {"gan"}
    assert index.found_ids("Generative AI và generative AI, không phải Generative ai") == {"g"}
    assert [s.start for s in index.find("Generative AI và generative AI; generative ai")] == [0, 17]
    # A name's first use is the first in the text, whichever way its first letter is written.
    assert [s.start for s in index.find("generative ai; Generative AI, generative AI", first=True)] == [15]


def test_names_sharing_a_family_name_are_not_all_tried():
    """The cost of finding names grows with the names a text may hold, not with every name known."""
    people = [(f"Nguyễn Văn Người{i}", f"p{i}") for i in range(500)] + [("Nguyễn Thị Bình", "binh")]
    index = FormIndex(Name(form, "entity", item_id) for form, item_id in people)
    text = "Bà Nguyễn Thị Bình gặp ông Nguyễn Hữu Cường."
    assert [name.id for name in index.candidates(text)] == ["binh"]
    assert index.found_ids(text) == {"binh"}


_replace = replace_in


FIRST = K.events[0]
CASES = [
    (
        "unknown-entity",
        _replace("data/events.yml", "entities: [eliza]", "entities: [elisa]"),
        ["data/events.yml:", "entities.0", "unknown entity 'elisa'", "data/entities.yml"],
    ),
    (
        "unknown-topic",
        _replace("data/topics.yml", "- id: robotics", "- id: robots"),
        ["data/", "unknown topic 'robotics'", "data/topics.yml"],
    ),
    (
        "unknown-article",
        _replace("data/events.yml", "article: tri-tue-nhan-tao-tao-sinh", "article: no-such-article"),
        ["data/events.yml:", "source.article", "unknown article 'no-such-article'"],
    ),
    (
        "unknown-section",
        _replace("data/events.yml", "section: 1-1-lich-su-phat-trien", "section: lich-su"),
        ["data/events.yml:", "source.section", "has no section 'lich-su'", "1-1-lich-su-phat-trien"],
    ),
    (
        "duplicate-id",
        _replace("data/entities.yml", "- id: google\n", "- id: openai\n"),
        ["data/entities.yml:", "openai.id", "duplicate id 'openai'"],
    ),
    (
        "impossible-date",
        _replace("data/events.yml", f'date: "{FIRST.date.iso()}"', 'date: "2025-02-31"'),
        ["data/events.yml:", f"{FIRST.id}.date", "not a real date"],
    ),
    (
        "missing-language",
        _replace("data/glossary.yml", 'term: {vi: "AI tạo sinh", en: "generative AI"}', 'term: {vi: "AI tạo sinh"}'),
        ["data/glossary.yml:", "generative-ai.term.en", "required field is missing"],
    ),
    (
        "empty-definition",
        _replace("data/topics.yml", 'en: "Robotics"}', 'en: " "}'),
        ["data/topics.yml:", "robotics.name.en", "is empty"],
    ),
    (
        "unknown-field",
        _replace("data/entities.yml", "- id: google\n", "- id: google\n  alias: [G]\n"),
        ["data/entities.yml:", "google.alias", "unknown field"],
    ),
    (
        "unknown-entity-type",
        _replace("data/entities.yml", "- id: jest\n  type: method", "- id: jest\n  type: technique"),
        [
            "data/entities.yml:",
            "jest.type",
            "'technique' is not allowed",
            "one of organization, person, model, product",
        ],
    ),
    (
        "unknown-glossary-term",
        _replace("data/entities.yml", "term: vae", "term: vaes"),
        ["data/entities.yml:", "vae.term", "unknown glossary term 'vaes'", "an id from data/glossary.yml"],
    ),
    (
        "two-entities-claim-one-term",
        _replace("data/entities.yml", "term: vae", "term: gan"),
        ["data/entities.yml:", "vae.term", "glossary term 'gan' is already the entity 'gan' (line", "only one"],
    ),
    (
        "article-tag-not-a-topic",
        _replace("seeds/004_29800cfcb56ae280.yml", "china-ai", "china"),
        ["seeds/004_29800cfcb56ae280.yml", "tags.1", "unknown topic 'china'"],
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_data_stops_check_and_build_naming_file_item_and_field(project: Path, capsys, edit, expected):
    edit(project)
    assert main(["--root", str(project), "check"]) == 1
    out = capsys.readouterr().out
    assert any(all(f in line for f in expected) for line in out.splitlines()), out
    assert main(["--root", str(project), "build"]) == 1
    assert not (project / "site").exists()


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["", "en/"])
def test_timeline_lists_every_event_by_year_with_a_chart(built_site, lang):
    html = page(built_site / lang, "timeline/")
    for event in K.events:
        assert f'id="{event.id}"' in html
    years = sorted({e.date.year for e in K.events})
    assert [int(y) for y in re.findall(r'<h2 id="y(\d+)"', html)] == years
    assert all(f'href="#y{y}"' in html for y in years)
    assert re.search(r'<svg class="kb-chart"[^>]*role="img"[^>]*aria-labelledby=', html)
    assert html.count("<rect ") >= len(years)
    # Each event links to the section of its source article.
    event = next(e for e in K.events if e.source.section)
    assert f'href="../articles/{event.source.article}/#{event.source.section}"' in html


@pytest.mark.parametrize("lang", ["", "en/"])
def test_every_topic_entity_and_term_has_its_page(built_site, lang):
    for topic_id in K.topics:
        html = page(built_site / lang, f"topics/{topic_id}/")
        assert html.count('class="kb-tag"') >= len(K.events_of_topic(topic_id))
    for entity_id in K.entities:
        assert (built_site / lang / "entities" / entity_id / "index.html").exists()
    glossary = page(built_site / lang, "glossary/")
    for term in K.terms.values():
        assert f'id="{term.id}"' in glossary
        assert term.term["vi"].split()[0] in glossary and term.term["en"].split()[0] in glossary


@pytest.mark.parametrize("lang", ["", "en/"])
def test_cross_links_both_ways(built_site, lang):
    # An event's entity page lists the event, and the event links back to the entity.
    for event in K.events[::7]:
        for entity_id in event.entities:
            assert f'id="{event.id}"' in page(built_site / lang, f"entities/{entity_id}/")
    # An article that mentions an entity appears on the entity's page, and links to it.
    deepseek = page(built_site / lang, "entities/deepseek/")
    assert 'href="../../articles/trung-quoc-thuc-day-ma-nguon-mo/"' in deepseek
    article = page(built_site / lang, "articles/trung-quoc-thuc-day-ma-nguon-mo/")
    assert 'href="../../entities/deepseek/"' in article
    assert 'href="../../topics/china-ai/"' in article
    for event in K.events_of_article("trung-quoc-thuc-day-ma-nguon-mo"):
        assert f'href="../../timeline/#{event.id}"' in article


@pytest.mark.parametrize("lang", ["", "en/"])
def test_glossary_terms_in_articles_link_to_their_entry_with_a_definition(built_site, lang):
    html = page(built_site / lang, "articles/tri-tue-nhan-tao-tao-sinh/")
    links = re.findall(r'<a class="kb-term" href="../../glossary/#([\w-]+)" title="([^"]+)">', html)
    assert len(links) >= 10
    for term_id, title in links:
        assert K.terms[term_id].definition["en" if lang else "vi"].startswith(title[:20].replace("&amp;", "&"))
    assert "hallucination" in {t for t, _ in links}


def test_counts_on_index_pages_match_the_data(built_site):
    html = page(built_site, "timeline/")
    assert f"{len(K.events)} sự kiện" in html
    entities = page(built_site / "en", "entities/")
    assert entities.count('href="') >= len(K.entities)
    topics = page(built_site / "en", "topics/")
    for topic_id in K.topics:
        n_events = len(K.events_of_topic(topic_id))
        assert f"{n_events} {'event' if n_events == 1 else 'events'}" in topics  # "1 event", never "1 events"


# ----------------------------------------------------------- entity types and the links to the glossary


def test_every_entity_type_has_a_singular_label_and_a_plural_heading_in_both_languages():
    ui = load_ui(ROOT / "data", ROOT)
    for lang in ("vi", "en"):
        for kind in ENTITY_TYPES:
            assert ui[lang](f"type_{kind}").strip() and ui[lang](f"types_{kind}").strip(), (lang, kind)
    assert all(ui["en"](f"type_{kind}") != ui["en"](f"types_{kind}") for kind in ENTITY_TYPES)


def test_entities_and_terms_that_are_the_same_thing_are_linked():
    linked = {term_id: entity.id for term_id, entity in K.term_entities.items()}
    assert linked == {"gan": "gan", "vae": "vae", "transformer": "transformer", "swe-bench": "swe-bench"}
    assert unlinked(K) == []


def _entity(entity_id: str, name: str, aliases: list[str], term: str | None = None) -> Entity:
    text = {"vi": name, "en": name}
    data = {"id": entity_id, "type": "model", "name": text, "aliases": aliases, "description": text}
    return Entity.model_validate(data | ({"term": term} if term else {}))


def _term(term_id: str, vi: str, en: str, aliases_en: list[str] = ()) -> Term:
    return Term.model_validate(
        {
            "id": term_id,
            "term": {"vi": vi, "en": en},
            "aliases": {"en": list(aliases_en)},
            "definition": {"vi": "a", "en": "b"},
        }
    )


GAN_TERM = _term("gan", "mạng đối nghịch tạo sinh", "generative adversarial network", ["GANs"])


@pytest.mark.parametrize(
    ("entities", "terms", "expected"),
    [
        ([_entity("gan", "GANs", [])], [GAN_TERM], [("gan", "gan", "GANs")]),  # an alias of the term
        (
            [_entity("g", "G", ["Generative Adversarial Network"])],
            [GAN_TERM],
            [("g", "gan", "Generative Adversarial Network")],
        ),
        ([_entity("g", "Mạng Đối Nghịch Tạo Sinh", [])], [GAN_TERM], [("g", "gan", "Mạng Đối Nghịch Tạo Sinh")]),
        ([_entity("gan", "GANs", [], term="gan")], [GAN_TERM], []),  # linked
        ([_entity("a", "GANs", [], term="gan"), _entity("b", "GANs", [])], [GAN_TERM], []),  # the term is another's
        ([_entity("x", "GANs", [], term="other")], [GAN_TERM, _term("other", "khác", "other")], []),  # it is another
        ([_entity("gan", "GAN models", ["GAN"])], [GAN_TERM], []),  # whole names only, not parts
        (
            [_entity("t", "Transformer", ["T"]), _entity("u", "transformer", [])],
            [_term("t", "Transformer", "Transformer")],
            [("t", "t", "Transformer"), ("u", "t", "transformer")],
        ),
    ],
    ids=["alias", "entity-alias", "vietnamese-any-case", "linked", "claimed", "other-term", "part", "two-entities"],
)
def test_entities_and_terms_sharing_a_name_without_a_link_are_found(entities, terms, expected):
    k = Knowledge(entities={e.id: e for e in entities}, terms={t.id: t for t in terms})
    assert [(e.id, t.id, form) for e, t, form in unlinked(k)] == expected


def _line(root: Path, path: str, text: str) -> int:
    return (root / path).read_text(encoding="utf-8").split(text)[0].count("\n") + 1


def test_link_problems_name_the_line_of_the_term_field(project: Path):
    _replace("data/entities.yml", "term: vae", "term: gan")(project)
    k = load_knowledge(load_project(project))
    first, second = _line(project, "data/entities.yml", "term: gan"), _line(project, "data/entities.yml", "- id: vae")
    assert [str(p) for p in k.problems] == [
        f"data/entities.yml:{second + 2}: vae.term: glossary term 'gan' is already the entity 'gan' (line {first}); "
        "expected one entity per term: `term:` on only one of them"
    ]


def test_check_warns_when_an_entity_and_a_term_share_a_name_but_are_not_linked(project: Path, capsys):
    _replace("data/entities.yml", "  term: gan\n", "")(project)
    line = _line(project, "data/entities.yml", "- id: gan\n")
    assert main(["--root", str(project), "check"]) == 0  # a warning: the build goes on
    assert (
        f"data/entities.yml:{line}: gan.term: warning: shares the name 'Generative Adversarial Network' with "
        "glossary term 'gan' but is not linked to it; expected 'term: gan' on the entity if they are the same thing"
    ) in capsys.readouterr().out.splitlines()
    from kb.site.pages import load_site

    site = load_site(project, "en", load_project(project))
    assert "../glossary.md#gan" not in site.pages["entities/gan.md"]
    assert "Events and articles: [Generative adversarial network (GAN)]" not in site.pages["glossary.md"]


ENTITY_LABELS = {
    "": ("Kiến trúc", "Nhân vật", "Định nghĩa trong thuật ngữ", "Sự kiện và bài viết"),
    "en/": ("Architecture", "Person", "Glossary definition", "Events and articles"),
}
INDEX_HEADINGS = {
    "": [
        "Tổ chức",
        "Con người",
        "Mô hình",
        "Sản phẩm",
        "Kiến trúc",
        "Phương pháp",
        "Điểm chuẩn",
        "Cuộc thi",
        "Báo cáo",
    ],
    "en/": [
        "Organisations",
        "People",
        "Models",
        "Products",
        "Architectures",
        "Methods",
        "Benchmarks",
        "Competitions",
        "Reports",
    ],
}


@pytest.mark.parametrize("lang", ["", "en/"])
def test_entity_pages_show_their_type_and_link_to_their_glossary_entry_and_back(built_site, lang):
    architecture, person, definition, events = ENTITY_LABELS[lang]
    type_row = "<dt>{}</dt>\n<dd>{}</dd>".format  # the summary box's first row (kb.site.entity_box)
    kind = load_ui(ROOT / "data", ROOT)["en" if lang else "vi"]("summary_type")
    assert type_row(kind, architecture) in page(built_site / lang, "entities/transformer/")
    assert type_row(kind, person) in page(built_site / lang, "entities/geoffrey-hinton/")
    glossary = page(built_site / lang, "glossary/")
    entries = dict(re.findall(r'<h3 id="([\w-]+)">(.*?)(?=<h[23] )', glossary, re.S))
    for term_id, entity in K.term_entities.items():
        entity_page = page(built_site / lang, f"entities/{entity.id}/")
        assert f'{definition}: <a href="../../glossary/#{term_id}">' in entity_page
        back = re.search(rf'{events}: <a href="../entities/{entity.id}/">([^<]+)</a>(.*?)</span>', entries[term_id])
        assert back, term_id
        assert back[1] == entity.name["en" if lang else "vi"]
        n = len(K.events_of_entity(entity.id))
        assert back[2] == (f" · {n} {'sự kiện' if not lang else 'event' if n == 1 else 'events'}" if n else "")
    unlinked_entry = entries["attention"]
    assert events not in unlinked_entry and definition not in page(built_site / lang, "entities/openai/")


@pytest.mark.parametrize("lang", ["", "en/"])
def test_entities_index_groups_by_type_in_order(built_site, lang):
    index = page(built_site / lang, "entities/")
    assert re.findall(r'<h2 id="[^"]*">([^<]+)<', index) == INDEX_HEADINGS[lang]
    benchmarks = index.split(f">{INDEX_HEADINGS[lang][6]}<")[1].split("<h2")[0]
    assert re.findall(r'<a href="([\w-]+)/">', benchmarks) == ["chatbot-arena", "swe-bench"]


# Edits to one item among many: (id, edit, how many events are other objects than the first load's)
RELOADS = [
    ("an event's text", replace_in("data/events.yml", "cho thấy ý tưởng để máy móc", "cho thấy rằng máy móc"), 1),
    ("an event made invalid", replace_in("data/events.yml", 'date: "2014"', 'date: "2014-13"'), 0),
    (
        "an event added",
        replace_in("data/events.yml", "- id: 2014-gan-vae\n", "- id: x\n  date: 1\n- id: 2014-gan-vae\n"),
        0,
    ),
]


@pytest.mark.parametrize(("edit", "new"), [r[1:] for r in RELOADS], ids=[r[0] for r in RELOADS])
def test_data_loaded_again_after_an_edit_is_what_a_first_load_gives(project: Path, edit, new):
    """kb serve loads the data after every edit: an item whose text is the same is not parsed again."""
    from kb.knowledge import facts

    before = load_knowledge(load_project(project))
    edit(project)
    again = load_knowledge(load_project(project))
    facts._items.clear()
    fresh = load_knowledge(load_project(project))
    assert again.events == fresh.events and again.entities == fresh.entities
    assert again.problems == fresh.problems and again.warnings == fresh.warnings
    assert {name: dict(lines) for name, lines in again.lines.items()} == {
        name: dict(lines) for name, lines in fresh.lines.items()
    }
    unchanged = {e.id: e for e in before.events}
    assert sum(unchanged.get(e.id) is not e for e in again.events) == new
