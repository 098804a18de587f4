"""Loading the project once for every command of one tree, and again only as far as the tree changed."""

from __future__ import annotations

from pathlib import Path

from kb.content.project import forget_loaded, load_project_cached
from tests.conftest import replace_in


def test_the_project_is_loaded_again_only_when_what_it_reads_changed(project: Path) -> None:
    forget_loaded()
    first = load_project_cached(project)
    first.cache["derived"] = True
    assert load_project_cached(project) is first
    # A data file the project does not read: the same articles, but nothing derived from the old data.
    replace_in("data/events.yml", "cho thấy ý tưởng", "cho thấy rằng ý tưởng")(project)
    second = load_project_cached(project)
    assert second is not first and second.cache == {}
    assert all(a is b for a, b in zip(second.articles, first.articles, strict=True))
    assert second.pages == first.pages and second.problems == first.problems
    # The site rules change how seeds are converted: loaded again.
    (project / "data/sites.yml").write_text("[]\n# changed\n", encoding="utf-8")
    third = load_project_cached(project)
    assert third.articles[0] is not second.articles[0]
    forget_loaded()
