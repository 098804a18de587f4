"""Every article has a complete, current English translation with the same structure."""

from __future__ import annotations

import pytest

from kb.content.project import load_project
from kb.content.structure import compare, structure
from tests.conftest import ROOT

PROJECT = load_project(ROOT)
ARTICLES = {a.slug: a for a in PROJECT.articles}


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_translation_exists_is_current_and_matches_structure(slug):
    article = ARTICLES[slug]
    translation = article.translations.get("en")
    assert translation is not None, f"docs/en/articles/{slug}.md is missing"
    assert translation.meta.source_hash == article.source_hash, "translation is stale"
    assert translation.meta.title == article.meta.title.en
    assert compare(article.page(), translation.body) == []


@pytest.mark.parametrize("slug", sorted(ARTICLES))
def test_english_headings_keep_the_vietnamese_anchors(slug):
    """Section links (timeline, language switch) land on the same section in both languages."""
    import re

    from kb.textutil import slugify

    vi = [slugify(h) for h in re.findall(r"^#{2,6} (.+)$", ARTICLES[slug].body, re.M)]
    en = re.findall(r"^#{2,6} .+\{#([a-z0-9-]+)\}$", ARTICLES[slug].translations["en"].body, re.M)
    assert en == vi


SOURCE = """---
title: x
---

Năm 2024 có 3 sự kiện vào tháng 9, ngày 16/3 và 6/2025, giá 3,7 tỷ USD.

## Một

- a
- b

![ảnh](https://example.org/a.png)

*Chú thích*
{: .kb-caption }
"""


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        pytest.param(
            "In 2024 there were 3 events in September, on 16 March and in June 2025, worth USD 3.7 billion.\n\n"
            "## One {#mot}\n\n- a\n- b\n\n![image](https://example.org/a.png)\n\n*Caption*\n{: .kb-caption }\n",
            [],
            id="faithful",
        ),
        pytest.param(
            "In 2024 there were 3 events.\n\n## One\n\n- a\n- b\n\n![image](https://example.org/a.png)\n\n*Caption*\n{: .kb-caption }\n",
            ["numbers missing from the translation: 3, 7, 16, 2025"],
            id="dropped-numbers",
        ),
        pytest.param(
            "In 2024 there were 3 events in September, on 16 March and in June 2025, worth USD 3.7 billion.\n\n"
            "## One\n\n- a and b\n\n*Caption*\n{: .kb-caption }\n",
            ["images: 1 in the source vs 0 in the translation", "list items: 2 in the source vs 1 in the translation"],
            id="merged-items-lost-image",
        ),
        pytest.param(
            "In 2024 there were 3 events in September, on 16 March and in June 2025, worth USD 3.7 billion.\n\n"
            "### One\n\n- a\n- b\n\n![image](https://example.org/a.png)\n\nCaption as text.\n\nExtra 99.\n",
            [
                "captions: 1 in the source vs 0 in the translation",
                "h2: 1 in the source vs 0 in the translation",
                "h3: 0 in the source vs 1 in the translation",
                "paragraphs: 1 in the source vs 3 in the translation",
                "numbers not in the source: 99",
            ],
            id="wrong-levels-and-blocks",
        ),
    ],
)
def test_structure_check_reports_each_mismatch_with_counts(translation, expected):
    assert compare(SOURCE, translation) == expected


def test_a_heading_ending_in_thang_is_not_a_month_for_the_list_after_it():
    """'## … tháng' then '1. …': the 1 is a list number in both languages, not a Vietnamese month."""
    source = "---\ntitle: x\n---\n\n## Kết quả từng tháng\n\n1. Một\n2. Hai\n"
    translation = "## Results month by month {#ket-qua-tung-thang}\n\n1. One\n2. Two\n"
    assert compare(source, translation) == []


def test_structure_counts_real_article():
    counts = structure(ARTICLES["rewind-ai-2024"].page(), "vi")["counts"]
    assert counts["h2"] == 6 and counts["captions"] == 3 and counts["paragraphs"] == 29
