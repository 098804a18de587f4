"""Search that works for Vietnamese readers: accent folding and cross-language terms.

Material's lunr search matches accented words only when typed with their
accents. After each build we add one field, ``kb``, to every entry of the
language's ``search_index.json``: the entry's title and text folded to
ASCII (đ -> d), plus the other language's forms of every glossary term the
entry uses, plain and folded. The field is declared in ``search: fields``
in mkdocs.yml, so Material's own worker indexes it; its JavaScript is not
touched. ``overrides/assets/kb-search.js`` highlights the accented originals
that a folded query matched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kb.knowledge import Knowledge, term_forms
from kb.textutil import fold

FIELD = "kb"
_TAGS = re.compile(r"<[^>]+>")


def _contains(text: str, form: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(fold(form))}(?![\w-])", text) is not None


def search_field(title: str, text: str, k: Knowledge, lang: str) -> str:
    """Folded text of an entry and the other language's names of its terms."""
    plain = _TAGS.sub(" ", f"{title} {text}")
    folded = fold(plain)
    extra: list[str] = []
    other = "en" if lang == "vi" else "vi"
    for term in k.terms.values():
        if any(_contains(folded, form) for form in term_forms(term, lang)):
            for form in term_forms(term, other):
                extra += [form, fold(form)]
    return " ".join([folded, *dict.fromkeys(extra)])


def extend_index(site_dir: Path, k: Knowledge, lang: str) -> None:
    """Add the ``kb`` field to every entry of a built search index."""
    path = site_dir / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        doc[FIELD] = search_field(doc.get("title", ""), doc.get("text", ""), k, lang)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
