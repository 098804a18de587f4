"""Mentions that link only what they mean: a table of true and false cases from the real articles.

Each row is an excerpt of a real article (the Vietnamese page or its English
translation) with one name marked «…», the item it could be taken for, and
whether it is a mention of that item there. Every case of issue 20's audit is
here. The excerpt must be in the article as written, so the table stays true
to the sources; the name is looked for in the whole article, with its real
context, as the build looks for it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from kb.cli import main
from kb.content.project import load_project
from kb.knowledge.facts import load_knowledge
from kb.knowledge.mentions import AliasRule, FormIndex, Name, name_of, whole_words
from kb.site import pages
from tests.conftest import ROOT, replace_in

PROJECT = load_project(ROOT)
K = load_knowledge(PROJECT)

TRI_TUE, REWIND, STATE = "tri-tue-nhan-tao-tao-sinh", "rewind-ai-2024", "state-of-ai-report-2024"
CHINA, FUTURE = "trung-quoc-thuc-day-ma-nguon-mo", "tuong-lai-ai-khong-nam-trong-tay-google-hay-openai"

# (article, language, excerpt with the name marked «…», "entity:id" or "term:id", is a mention there)
CASES = [
    # The glossary's "attention" is the mechanism, not a reader's attention.
    (REWIND, "en", "AI became the focal point of «attention» and investment", "term:attention", False),
    (TRI_TUE, "en", "has attracted a lot of «attention» is the Small Language Model", "term:attention", False),
    (REWIND, "en", "Sora quickly drew «attention» with its user-friendly interface", "term:attention", False),
    (STATE, "en", "Retrieval and embeddings are attracting «attention» because", "term:attention", False),
    (STATE, "en", "Hybrid models that combine the «attention mechanism» with other", "term:attention", True),
    (STATE, "vi", "Các mô hình lai kết hợp «cơ chế chú ý» với các cơ chế khác", "term:attention", True),
    # "lập luận": the ability (reasoning), not the verb (experts argue that).
    (CHINA, "vi", "một số chuyên gia «lập luận» rằng các mô hình này", "term:reasoning", False),
    (STATE, "vi", "cải thiện đáng kể khả năng «lập luận» của LLM", "term:reasoning", True),
    (STATE, "vi", "trong các tác vụ «lập luận», toán học", "term:reasoning", True),
    (STATE, "vi", "khả năng lập kế hoạch và «lập luận» của những mô hình này", "term:reasoning", True),
    # "LLaMA": the family where the article lists Meta's models, the 2023 model where it leaked.
    (TRI_TUE, "vi", "**«LLaMA»** của Meta", "entity:llama-1", False),
    (TRI_TUE, "vi", "**«LLaMA»** của Meta", "entity:llama", True),
    (TRI_TUE, "en", "Meta’s **«LLaMA»**", "entity:llama-1", False),
    (TRI_TUE, "en", "Meta’s **«LLaMA»**", "entity:llama", True),
    (FUTURE, "vi", "vào tháng 3, «LLaMa», mô hình tạo bởi Meta", "entity:llama-1", True),
    (FUTURE, "vi", "vào tháng 3, «LLaMa», mô hình tạo bởi Meta", "entity:llama", False),
    (FUTURE, "vi", "nhưng «LLaMa» nhanh chóng được tinh chỉnh", "entity:llama-1", True),
    (FUTURE, "vi", "nhưng «LLaMa» nhanh chóng được tinh chỉnh", "entity:llama", False),
    (FUTURE, "en", "in March, «LLaMA», a model created by Meta", "entity:llama-1", True),
    (FUTURE, "en", "in March, «LLaMA», a model created by Meta", "entity:llama", False),
    # The longest name wins: "LLaMA" inside "LLaMA 2", "Llama" inside "Llama 3".
    (TRI_TUE, "vi", "**«LLaMA» 2** của Meta", "entity:llama-1", False),
    (TRI_TUE, "vi", "**«LLaMA» 2** của Meta", "entity:llama", False),
    (TRI_TUE, "vi", "**«LLaMA 2»** của Meta", "entity:llama-2", True),
    (TRI_TUE, "en", "Meta’s **«Llama» 2**", "entity:llama", False),
    (TRI_TUE, "en", "Meta’s **«Llama 2»**", "entity:llama-2", True),
    (REWIND, "vi", "Meta với series mô hình «Llama». Llama 3", "entity:llama", True),
    (STATE, "vi", "«Llama» 3 của Meta, được phát hành", "entity:llama", False),
    (STATE, "vi", "«Llama 3» của Meta, được phát hành", "entity:llama-3", True),
    (STATE, "vi", "«Claude» 3.5 Sonnet, Gemini 1.5", "entity:claude", False),
    (STATE, "vi", "«Claude 3.5 Sonnet», Gemini 1.5", "entity:claude-3-5-sonnet", True),
    (STATE, "vi", "Claude 3.5 Sonnet, «Gemini» 1.5 và Grok 2", "entity:gemini", False),
    (STATE, "vi", "GPT-4 Mini còn vượt cả «Claude» Sonnet 3.5", "entity:claude", False),
    (STATE, "vi", "GPT-4 Mini còn vượt cả «Claude Sonnet 3.5»", "entity:claude-3-5-sonnet", True),
    (STATE, "vi", "việc GPT-4 và «GPT-4» Mini nhận được", "entity:gpt-4", False),
    (STATE, "vi", "việc «GPT-4» và GPT-4 Mini nhận được", "entity:gpt-4", True),
    (STATE, "vi", "«Apple» Vision Pro đang nổi lên", "entity:apple", False),
    (REWIND, "vi", "những nhà nghiên cứu của «Google» DeepMind", "entity:google", False),
    (TRI_TUE, "en", "the first GPT (Generative Pre-trained «Transformer»)", "term:transformer", False),
    (TRI_TUE, "en", "the first GPT (Generative Pre-trained «Transformer»)", "entity:transformer", False),
    (TRI_TUE, "en", "the first GPT («Generative Pre-trained Transformer»)", "entity:gpt", True),
    (TRI_TUE, "en", "GPT (Generative «Pre-trained» Transformer)", "term:pre-training", False),
    (TRI_TUE, "en", "in 2017, the «Transformer» architecture was introduced", "entity:transformer", False),
    (TRI_TUE, "en", "in 2017, the «Transformer architecture» was introduced", "term:transformer", True),
    (STATE, "en", "The LMSYS «Chatbot» Arena leaderboard", "term:chatbot", False),
    (STATE, "en", "The «LMSYS Chatbot Arena» leaderboard", "entity:chatbot-arena", True),
    # Short names, and not inside a longer word: "R1" is not in "R1-Lite", "Office" is not in "Officer".
    (CHINA, "vi", "khi mô hình «R1» của họ ra mắt", "entity:deepseek-r1", True),
    (CHINA, "vi", "Dù «R1» đã tạo tiếng vang trong ngành", "entity:deepseek-r1", True),
    (CHINA, "en", "DeepSeek, whose «R1» model, released early this year", "entity:deepseek-r1", True),
    (REWIND, "vi", "với V2.5 và «R1»-Lite Preview", "entity:deepseek-r1", False),
    (REWIND, "vi", "với V2.5 và «R1-Lite Preview»", "entity:deepseek-r1-lite-preview", True),
    (REWIND, "vi", "DeepSeek bứt phá với «V2.5» và", "entity:deepseek-v2-5", True),
    (REWIND, "en", "DeepSeek broke through with «V2.5» and", "entity:deepseek-v2-5", True),
    (REWIND, "vi", "mô hình ngôn ngữ «o1» ra mắt vào tháng 9", "entity:o1", True),
    (REWIND, "en", "the upgraded «o3» was announced", "entity:o3", True),
    (TRI_TUE, "vi", "tích hợp GPT-4 vào **bộ «Office»** (Copilot", "entity:microsoft-office", True),
    (TRI_TUE, "en", "GPT-4 into the **«Office» suite**", "entity:microsoft-office", True),
    (CHINA, "en", "OpenAI Chief Financial «Office»r Sarah Friar", "entity:microsoft-office", False),
    # Everyday words and first names, each with the words that must be near it.
    (REWIND, "vi", "«Holt» nhận xét:", "entity:adam-holt", False),
    (REWIND, "vi", "«Adam Holt», chuyên gia AI nổi tiếng trên TikTok", "entity:adam-holt", True),
    (REWIND, "vi", "«Canvas», giao diện làm việc mới", "entity:canvas", True),
    (REWIND, "en", "«Canvas», a new workspace interface", "entity:canvas", True),
    (TRI_TUE, "vi", "**«Claude»** của Anthropic", "entity:claude", True),
    (TRI_TUE, "vi", "**«Falcon»** của TII", "entity:falcon", True),
    (TRI_TUE, "en", "TII’s **«Falcon»**", "entity:falcon", True),
    (TRI_TUE, "vi", "**trợ lý nhà thông minh «Alexa»**", "entity:alexa", True),
    (TRI_TUE, "en", "**«Alexa» smart home assistant**", "entity:alexa", True),
    (REWIND, "vi", "«Slack», nền tảng hợp tác trực tuyến", "entity:slack", True),
    (REWIND, "en", "«Slack», the popular online collaboration platform", "entity:slack", True),
    (REWIND, "vi", "WhatsApp, «Messenger», Instagram và Facebook", "entity:messenger", True),
    (CHINA, "vi", "Wei Sun của «Counterpoint» mô tả", "entity:counterpoint-research", True),
    (CHINA, "en", "«Counterpoint»’s Wei Sun describes", "entity:counterpoint-research", True),
    (CHINA, "vi", "«Gemma» của Google", "entity:gemma", True),
    (CHINA, "vi", "mô hình AI «Ernie» 4.5", "entity:ernie", False),
    # Acronyms are case-sensitive ("GAN", not the word "gan"); everyday phrases only as prompts.
    (TRI_TUE, "vi", "mạng đối nghịch tạo sinh («GAN»)", "term:gan", True),
    (TRI_TUE, "vi", "mạng đối nghịch tạo sinh («GAN»)", "entity:gan", True),
    (TRI_TUE, "en", "generative adversarial networks («GANs»)", "term:gan", True),
    (REWIND, "vi", "lặp đi lặp lại các «câu lệnh» để chatbot AI", "term:prompt", True),
    (TRI_TUE, "vi", "chỉ từ các «lời gợi ý văn bản»", "term:prompt", True),
    (STATE, "vi", "«RL» đang thúc đẩy cải tiến hiệu suất VLM", "term:reinforcement-learning", True),
    (STATE, "en", "train «RL» agents at scale", "term:reinforcement-learning", True),
    (TRI_TUE, "en", "**Applied «ML»/Research Engineer:**", "term:machine-learning", True),
]


def _article_text(slug: str, lang: str) -> str:
    article = PROJECT.article(slug)
    assert article is not None, slug
    return article.body if lang == "vi" else article.translations[lang].body


def _where(slug: str, lang: str, excerpt: str) -> tuple[str, int, int]:
    """The article's text and where the marked name is in it (the excerpt must be there as written)."""
    text = _article_text(slug, lang)
    plain = excerpt.replace("«", "").replace("»", "")
    assert text.count(plain) >= 1, f"not in {slug} ({lang}): {plain!r}"
    start = text.index(plain) + excerpt.index("«")
    return text, start, start + excerpt.index("»") - excerpt.index("«") - 1


def _case_id(case: tuple) -> str:
    _slug, lang, excerpt, item, expected = case
    return f"{lang}-{item}-{'yes' if expected else 'no'}-{excerpt[:30]}"


@pytest.mark.parametrize(("slug", "lang", "excerpt", "item", "expected"), CASES, ids=[_case_id(c) for c in CASES])
def test_real_mentions_are_found_and_false_ones_are_not(slug, lang, excerpt, item, expected):
    text, start, end = _where(slug, lang, excerpt)
    kind, item_id = item.split(":")
    assert (kind == "entity" and item_id in K.entities) or (kind == "term" and item_id in K.terms), item
    found = {(s.start, s.end) for s in K.names(lang).find(text) if (s.name.kind, s.name.id) == (kind, item_id)}
    assert ((start, end) in found) is expected, (text[start:end], found)


def test_the_table_has_every_case_of_the_audit():
    marked = {(re.search("«(.+?)»", c[2])[1], c[3], c[4]) for c in CASES}
    for name, item in [
        ("attention", "term:attention"),
        ("lập luận", "term:reasoning"),
        ("LLaMA", "entity:llama-1"),
        ("LLaMA", "entity:llama"),
        ("R1", "entity:deepseek-r1"),
        ("V2.5", "entity:deepseek-v2-5"),
        ("Office", "entity:microsoft-office"),
        ("Holt", "entity:adam-holt"),
    ]:
        assert (name, item, False) in marked or (name, item, True) in marked, name
    for name in ["Canvas", "Claude", "Falcon", "Alexa", "Slack", "Messenger", "Counterpoint", "GAN", "câu lệnh"]:
        assert any(m[0] == name for m in marked), name
    assert sum(not c[4] for c in CASES) >= 20


def test_articles_mention_the_family_or_the_leaked_model_as_their_text_means():
    mentions = pages.mentions(PROJECT, K)
    assert "llama" in mentions[TRI_TUE] and "llama-1" not in mentions[TRI_TUE]
    assert "llama-1" in mentions[FUTURE] and "llama" not in mentions[FUTURE]
    assert "adam-holt" in mentions[REWIND]  # named in full, then "Holt"
    assert "microsoft-office" not in mentions[CHINA]  # "Chief Financial Officer"


# Constructed sentences (no real article has these yet): what the rules are for as the corpus grows.
CONSTRUCTED = [
    ("vi", "Uống nhiều rượu hại «gan».", "term:gan", False),
    ("vi", "Uống nhiều rượu hại «gan».", "entity:gan", False),
    ("en", "«Slack» water at the turn of the tide.", "entity:slack", False),
    ("en", "The Oval «Office» said on Monday.", "entity:microsoft-office", False),
    ("en", "«Claude» Monet painted water lilies.", "entity:claude", False),
    ("en", "Rabbit's «R1» device sold out.", "entity:deepseek-r1", False),
    ("en", "Llama 3.2 and «Llama 3».", "entity:llama-3", True),
    ("en", "«Llama 3».2 is not Llama 3.", "entity:llama-3", False),
    ("vi", "«Học máy» là một lĩnh vực.", "term:machine-learning", True),
    ("en", "«Generative AI» is everywhere.", "term:generative-ai", True),
    ("en", "«generative ai» in small letters.", "term:generative-ai", False),
]


@pytest.mark.parametrize(("lang", "excerpt", "item", "expected"), CONSTRUCTED)
def test_constructed_cases(lang, excerpt, item, expected):
    text = excerpt.replace("«", "").replace("»", "")
    start, end = excerpt.index("«"), excerpt.index("»") - 1
    kind, item_id = item.split(":")
    found = {(s.start, s.end) for s in K.names(lang).find(text) if (s.name.kind, s.name.id) == (kind, item_id)}
    assert ((start, end) in found) is expected, found


@pytest.mark.parametrize(
    ("text", "start", "end", "whole"),
    [
        ("R1-Lite", 0, 2, False),  # a hyphen continues a word
        ("x-R1", 2, 4, False),
        ("GPT-4.5", 0, 5, False),  # so does a dot before a digit
        ("GPT-4.", 0, 5, True),  # not a full stop
        ("01.AI", 3, 5, False),
        ("(AI)", 1, 3, True),
        ("Meta’s", 0, 4, True),  # an apostrophe ends a word
        ("đường", 1, 5, False),  # letters with diacritics are letters
        ("một gan", 4, 7, True),
        ("1,5", 0, 1, False),
    ],
)
def test_whole_words(text, start, end, whole):
    assert whole_words(text, start, end) is whole


def _rule(**kwargs) -> Name:
    return name_of("X", "entity", "x", AliasRule(form="X", **kwargs), case_by_form=False)


@pytest.mark.parametrize(
    ("rule", "text", "found"),
    [
        ({"near": ["mô hình"]}, "mô hình X mới", True),
        ({"near": ["mô hình"]}, "X mới", False),
        ({"near": ["Wei Sun"]}, "X của Wei Sun", True),
        ({"near": ["Wei Sun"]}, "X của wei sun", False),  # a phrase with a capital matches as written
        ({"near": ["rò rỉ"]}, "X bị Rò Rỉ", True),  # one in small letters, in any case
        ({"near": ["a"], "window": 2}, "a b c X", False),
        ({"near": ["a"], "window": 3}, "a b c X", True),
        ({"near": ["a"]}, "a\nX", False),  # context is the paragraph
        ({"not_near": ["leaked"]}, "X was leaked", False),
        ({"not_near": ["leaked"]}, "X was released", True),
        ({"not_before": ["rằng"]}, "họ X rằng", False),
        ({"not_before": ["rằng"]}, "họ X, rồi rằng", True),
        ({"not_after": ["Oval"]}, "the Oval X", False),
        ({"not_after": ["Oval"]}, "Oval then X", True),
    ],
)
def test_context_rules(rule, text, found):
    assert FormIndex([_rule(**rule)]).found_ids(text) == ({"x"} if found else set())


def test_names_of_one_extent_all_count_and_longer_ones_hide_the_names_they_hold():
    index = FormIndex(
        [
            Name("GAN", "entity", "gan"),
            Name("GAN", "term", "gan"),
            Name("LLaMA", "entity", "llama-1"),
            Name("LLaMA 2", "entity", "llama-2"),
            Name("A B", "entity", "ab"),
            Name("B C D", "entity", "bcd"),
        ]
    )
    spans = [(s.start, s.end, s.name.kind, s.name.id) for s in index.find("GAN; LLaMA 2; A B C D")]
    assert spans == [
        (0, 3, "entity", "gan"),
        (0, 3, "term", "gan"),
        (5, 12, "entity", "llama-2"),
        (14, 17, "entity", "ab"),  # names that only overlap: both
        (16, 21, "entity", "bcd"),
    ]


def test_names_of_one_line_are_one_paragraph_apart_from_the_next():
    k_index = K.names("en")
    assert {s.name.id for s in k_index.find("Alexa\nAmazon")} == {"amazon"}
    assert {s.name.id for s in k_index.find("Amazon's Alexa")} == {"amazon", "alexa"}


# --------------------------------------------------------------------------
# `kb check`: risky names, and rules it refuses
# --------------------------------------------------------------------------

WARNINGS = [
    (
        "short",
        replace_in("data/entities.yml", '- {form: "R1", near: ["DeepSeek"], window: 40}', '- "R1"'),
        "deepseek-r1.aliases.2: warning: 'R1' is very short (2 letters or digits)",
    ),
    (
        "everyday-word",
        replace_in("data/entities.yml", 'aliases: ["Adam Holt"]', 'aliases: ["Adam Holt", "Holt"]'),
        "adam-holt.aliases.1: warning: 'Holt' is an everyday word or a first name",
    ),
    (
        "everyday-phrase",
        replace_in("data/glossary.yml", '- "lời gợi ý văn bản"', '- "lời gợi ý"'),
        "prompt.aliases.vi.1: warning: 'lời gợi ý' is an everyday word or a first name",
    ),
    (
        "three-small-letters",
        replace_in("data/glossary.yml", 'vi: ["GAN", ', 'vi: ["gan", '),
        "gan.aliases.vi.0: warning: 'gan' is three small letters matched in any case",
    ),
    (
        "another-items-name",
        replace_in("data/entities.yml", '- {form: "LLaMA", near: ["rò rỉ", "leaked"], window: 40}', '- "LLaMA"'),
        "llama-1.aliases.0: warning: 'LLaMA' is also a name of llama",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [w[1:] for w in WARNINGS], ids=[w[0] for w in WARNINGS])
def test_kb_check_warns_about_risky_names_with_file_line_and_field(project: Path, capsys, edit, expected):
    edit(project)
    assert main(["--root", str(project), "check"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if expected in line]
    assert len(lines) == 1, out
    assert re.match(r"data/(entities|glossary)\.yml:\d+: ", lines[0]), lines[0]
    assert out.count("warning:") == 1  # the real data has none


def test_the_real_data_has_no_risky_name_without_a_rule():
    assert K.warnings == []
    assert K.problems == []


BAD_RULES = [
    (
        "unknown-rule",
        replace_in("data/entities.yml", 'near: ["DeepSeek"], window: 40', 'nearby: ["DeepSeek"]'),
        ["data/entities.yml:", "deepseek-r1.aliases.2.nearby", "unknown field", "near, not_near"],
    ),
    (
        "bad-case",
        replace_in("data/entities.yml", 'near: ["DeepSeek"], window: 40', "case: upper"),
        ["data/entities.yml:", "deepseek-r1.aliases.2.case", "'upper' is not allowed", "sensitive or insensitive"],
    ),
    (
        "no-form",
        replace_in("data/entities.yml", '{form: "R1", near:', "{near:"),
        ["data/entities.yml:", "deepseek-r1.aliases.2.form", "required field is missing"],
    ),
    (
        "window-zero",
        replace_in("data/entities.yml", 'near: ["DeepSeek"], window: 40', 'near: ["DeepSeek"], window: 0'),
        ["data/entities.yml:", "deepseek-r1.aliases.2.window", "greater than or equal to 1"],
    ),
    (
        "everyday-words-not-a-list",
        replace_in("data/everyday-words.yml", "names: [", "names: 3\nothers: ["),
        ["data/everyday-words.yml:", "names", "valid list"],
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in BAD_RULES], ids=[c[0] for c in BAD_RULES])
def test_bad_rules_stop_check_naming_file_line_and_field(project: Path, capsys, edit, expected):
    edit(project)
    assert main(["--root", str(project), "check"]) == 1
    out = capsys.readouterr().out
    assert any(all(f in line for f in expected) for line in out.splitlines()), out
    assert "Traceback" not in out


# --------------------------------------------------------------------------
# The built site: no false link of the table, and the right entities listed
# --------------------------------------------------------------------------


def _page(site: Path, lang: str, slug: str) -> str:
    return (site / ("en/" if lang == "en" else "") / "articles" / slug / "index.html").read_text(encoding="utf-8")


def _visible(page_html: str, term_id: str = "attention") -> str:
    """An article's text as a reader sees it, with the links to one glossary term marked [[…]]."""
    text = re.sub(rf'<a class="kb-term" href="[./]*glossary/#{term_id}"[^>]*>(.*?)</a>', r"[[\1]]", page_html)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


@pytest.mark.parametrize("case", [c for c in CASES if c[3].startswith("term:")], ids=_case_id)
def test_the_built_site_links_no_false_term_of_the_table(built_site, case):
    slug, lang, excerpt, item, expected = case
    text = _visible(_page(built_site, lang, slug), item.removeprefix("term:"))
    plain = excerpt.replace("«", "").replace("»", "").replace("**", "")
    linked = excerpt.replace("«", "[[").replace("»", "]]").replace("**", "")
    if expected:
        assert plain in text or linked in text, plain
    else:
        assert plain in text and linked not in text, plain


def test_the_built_site_lists_the_entities_the_text_means(built_site):
    for lang in ("vi", "en"):
        tri_tue, future = _page(built_site, lang, TRI_TUE), _page(built_site, lang, FUTURE)
        assert 'href="../../entities/llama/"' in tri_tue and 'href="../../entities/llama-1/"' not in tri_tue
        assert 'href="../../entities/llama-1/"' in future and 'href="../../entities/llama/"' not in future
        links = _visible(_page(built_site, lang, REWIND)) + _visible(_page(built_site, lang, TRI_TUE))
        assert "[[attention]]" not in links
    assert "[[attention mechanism]]" in _visible(_page(built_site, "en", STATE))
    china = _visible(_page(built_site, "vi", CHINA), "reasoning")
    assert "chuyên gia lập luận rằng" in china and "[[lập luận]] rằng" not in china
