"""Search index and anchors: folded text, cross-language terms, ASCII ids; Material pinned."""

from __future__ import annotations

import hashlib
import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from kb.textutil import slugify

MATERIAL = Path(__import__("material").__file__).parent / "templates" / "partials"


def test_material_is_the_version_our_overrides_and_search_field_were_made_for():
    """Our partials copy Material's; an upgrade must re-check them and the search field."""
    assert version("mkdocs-material") == "9.8.1"
    originals = {
        "search.html": "bfd556535abcddb99396ab2a7e3acc2ebcd3f36756007d3969396caa4126be30",
        "alternate.html": "572b1d4dae611aa5fd65107edec95e44331b6141abf86834ea4dc6c1ddd7241b",
    }
    for name, digest in originals.items():
        assert hashlib.sha256((MATERIAL / name).read_bytes()).hexdigest() == digest, f"Material's {name} changed"


def _index(site: Path) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def test_search_index_has_folded_text_and_cross_language_terms(built_site):
    vi, en = _index(built_site), _index(built_site / "en")
    assert vi["config"]["fields"]["kb"] == {"boost": 3} and en["config"]["fields"]["kb"] == {"boost": 3}
    article = " ".join(d["kb"] for d in vi["docs"] if d["location"].startswith("articles/rewind-ai-2024/"))
    assert "con duong phia truoc" in article
    efficiency = " ".join(d["kb"] for d in vi["docs"] if d["location"].startswith("articles/state-of-ai-report-2024/"))
    assert "quantization" in efficiency and "distillation" in efficiency
    agents = " ".join(d["kb"] for d in en["docs"] if d["location"].startswith("topics/ai-agents/"))
    assert "tác nhân AI" in agents and "tac nhan ai" in agents
    assert all("đ" not in d["kb"].split(" ", 1)[0] for d in vi["docs"])


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Đường đi của Nguyễn", "duong-di-cua-nguyen"),
        ('AI "tác nhân" lên ngôi', "ai-tac-nhan-len-ngoi"),
        ("1.1. Lịch sử", "1-1-lich-su"),
        ("Cuộc chiến Mỹ-Trung", "cuoc-chien-my-trung"),
    ],
)
def test_heading_anchors_are_readable_ascii(heading, anchor):
    assert slugify(heading) == anchor


def test_every_id_in_the_built_site_is_ascii_and_unique_on_its_page(built_site):
    for page in built_site.rglob("*.html"):
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        assert all(i.isascii() for i in ids), page
        assert len(ids) == len(set(ids)), (page, [i for i in ids if ids.count(i) > 1][:3])
