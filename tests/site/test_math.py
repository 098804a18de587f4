"""TeX math: kept through the whole pipeline in both languages, rendered by KaTeX from the site itself,
and loaded only by the pages that have some. The browser half is in test_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
import yaml

from kb.content import markup, structure
from kb.content.project import load_project
from kb.knowledge.facts import load_knowledge, mentioned_entities, prose
from kb.site import knowledge_pages
from tests.conftest import MATH_EN, MATH_VI, ROOT

KATEX = ROOT / "overrides" / "assets" / "katex"
KATEX_VERSION = "0.19.1"
LANGS = {"vi": "", "en": "en/"}
ARITHMATEX = ("pymdownx.arithmatex", {"generic": True})
# The page's formulas, as arithmatex writes them: four inline, two display.
INLINE = [r"\(\theta\)", r"\(L(\theta) = -\sum_{i=1}^{n} \log p_\theta(x_i)\)", r"\(n\)", r"\(1/2\)"]
DISPLAY = [r"\operatorname{softmax}(z)_i", r"\mathrm{Attention}(Q, K, V)"]


def _html(site: Path, lang: str, path: str) -> str:
    return (site / LANGS[lang] / path / "index.html").read_text(encoding="utf-8")


def test_arithmatex_is_configured_once_for_both_languages():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    extensions = [e if isinstance(e, str) else next(iter(e.items())) for e in config["markdown_extensions"]]
    assert (ARITHMATEX[0], {"generic": "true"}) in extensions
    english = yaml.load((ROOT / "mkdocs.en.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert "markdown_extensions" not in english  # inherited


def test_instant_navigation_stays_off():
    """Only pages with math load KaTeX: a page reached by instant navigation would have none loaded."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert "navigation.instant" not in config["theme"]["features"]


def test_strict_build_of_both_languages_has_no_warning(math_project):
    assert "0 error(s), 0 warning(s)" in math_project.output
    assert not re.search(r"^(WARNING|ERROR)\b", math_project.output, re.M), math_project.output


@pytest.mark.parametrize("lang", LANGS)
def test_math_reaches_the_page_as_arithmatex_elements_with_katex_loaded(math_project, lang):
    page = _html(math_project.site, lang, "math")
    spans = re.findall(r'<span class="arithmatex">(.*?)</span>', page, re.S)
    divs = re.findall(r'<div class="arithmatex">(.*?)</div>', page, re.S)
    assert spans == INLINE
    assert len(divs) == len(DISPLAY)
    assert all(d.startswith("\\[") and d.endswith("\\]") and f in d for d, f in zip(divs, DISPLAY, strict=True))
    assert "$" not in re.sub(r"\$5", "", page)  # every formula marked up; the escaped dollar is a dollar
    assert page.count('href="../assets/katex/katex.min.css"') == 1
    assert page.count('src="../assets/katex/katex.min.js"') == 1
    assert page.index("katex.min.js") < page.index('src="../assets/kb-math.js"')
    # Search indexes the prose, not the TeX (kb.search.pagefind.EXCLUDE); the formulas are inside the indexed body.
    assert page.index("data-pagefind-body") < page.index('class="arithmatex"')


def test_only_the_page_with_math_loads_katex(math_project):
    site = math_project.site
    with_katex = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if re.search(r"katex|kb-math\.js", p.read_text(encoding="utf-8"))
    )
    assert with_katex == ["en/math/index.html", "math/index.html"]


def test_the_math_page_changes_no_other_page(math_project, built_copy):
    """The real site and the same with the math page (both copies without git history) agree byte for
    byte on every other page but the list of translations, which counts it."""
    built_site = built_copy
    lists = ("translations/", "sitemap.xml", "pagefind/")
    differ = []
    for path in built_site.rglob("*.html"):
        name = path.relative_to(built_site).as_posix()
        if any(part in name for part in lists):
            continue
        if path.read_bytes() != (math_project.site / name).read_bytes():
            differ.append(name)
    assert differ == []


def test_vendored_katex_is_the_pinned_version_and_every_font_it_names_is_there():
    js = (KATEX / "katex.min.js").read_text(encoding="utf-8")
    assert f'version:"{KATEX_VERSION}"' in js.replace(" ", "")
    readme = (KATEX / "README.md").read_text(encoding="utf-8")
    assert f"katex@{KATEX_VERSION}" in readme and "MIT" in readme
    assert "MIT License" in (KATEX / "LICENSE").read_text(encoding="utf-8")
    css = (KATEX / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\(([^)]+)\)", css))
    assert len(fonts) == 20 and all(f.startswith("fonts/") and f.endswith(".woff2") for f in fonts)
    assert fonts == {f"fonts/{p.name}" for p in (KATEX / "fonts").iterdir()}


def test_every_katex_file_and_its_licence_are_in_both_builds(math_project):
    for lang in LANGS:
        for path in KATEX.rglob("*"):
            if path.is_file() and path.name != "README.md":  # MkDocs copies no Markdown from a theme
                built = math_project.site / LANGS[lang] / "assets/katex" / path.relative_to(KATEX)
                assert built.read_bytes() == path.read_bytes()


def _convert(text: str) -> str:
    return markdown.markdown(text, extensions=[ARITHMATEX[0], "attr_list"], extension_configs=dict([ARITHMATEX]))


def test_the_sanitiser_keeps_arithmatex_output_as_it_is():
    html = _convert(
        "Inline $a<b$ and \\(x_1 & y\\), `$code$`.\n\n"
        "$$\n\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} < \\frac{1}{2}\n$$\n\n"
        "\\begin{align}\nx &= 1\n\\end{align}\n"
    )
    assert html.count('class="arithmatex"') == 4
    assert markup.sanitize(html) == html


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("giá $x^2$ và $$y$$", ["$x^2$", "$$y$$"]),
        ("từ \\(a\\) đến\n\n\\[b\\]", ["\\(a\\)", "\\[b\\]"]),
        ("\\begin{align}\nx &= 1 \\\\\ny &= 2\n\\end{align}", ["\\begin{align}\nx &= 1 \\\\\ny &= 2\n\\end{align}"]),
        ("$5 and $6", []),  # a space before the closing dollar: not math (arithmatex's smart dollars)
        ("\\$5 and $x$", ["$x$"]),  # an escaped dollar is a dollar
        ("US$5.\n\nUS$6", []),  # never across a blank line
    ],
)
def test_math_is_found_as_arithmatex_finds_it(text, math):
    from kb.textutil import math_spans

    assert [text[start:end] for start, end in math_spans(text)] == math
    html = _convert(text)
    assert html.count('class="arithmatex"') == len(math)


def test_glossary_links_and_mentions_leave_math_alone():
    k = load_knowledge(load_project(ROOT))
    body = "Ký hiệu $p_{\\text{GenAI}}$ và\n\n$$\n\\text{GenAI} + \\text{OpenAI}\n$$\n\nrồi GenAI của OpenAI.\n"
    linked = knowledge_pages.link_terms(body, k, "vi", "../")
    assert linked.count("](../glossary.md#generative-ai") == 1
    assert "$p_{\\text{GenAI}}$" in linked and "$$\n\\text{GenAI} + \\text{OpenAI}\n$$" in linked
    assert re.search(r'rồi \[GenAI\]\(\.\./glossary\.md#generative-ai "[^"]+"\)\{ \.kb-term \} của OpenAI', linked)
    assert "OpenAI" not in prose("Chỉ $\\text{OpenAI}$ và \\(x\\).")
    assert [e.id for e in mentioned_entities(k, [("vi", "$\\text{OpenAI}$")])] == []


def test_translation_structure_counts_formulas_and_not_their_digits():
    assert structure.compare(MATH_VI, MATH_EN) == []
    dropped = MATH_EN.replace("$1/2$", "one half")
    assert structure.compare(MATH_VI, dropped) == ["formulas: 6 in the source vs 5 in the translation"]
    # Outside math, "1/2" in Vietnamese is a date (1 February): its month is not a number to keep.
    assert structure.compare("Ngày 1/2 có 3 mô hình.", "On 1 February there were 3 models.") == []
