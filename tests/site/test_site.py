"""The real site, built by `kb build`: both languages, strict, self-contained, reproducible."""

from __future__ import annotations

import datetime as dt
import filecmp
import re
from pathlib import Path

import pytest

from kb.cli import main
from kb.content.project import Paths, load_project
from kb.site import build
from kb.site.build import build_site
from tests.conftest import ROOT, replace_in

SLUGS = sorted(a.slug for a in load_project(ROOT).articles)
PAGE_TYPES = ["", "articles/", "about/"]


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PAGE_TYPES + [f"articles/{s}/" for s in SLUGS])
def test_every_page_exists_in_both_languages_at_the_same_path(built_site, path):
    vi, en = html(built_site, path), html(built_site / "en", path)
    assert '<html lang="vi"' in vi and '<html lang="en"' in en


@pytest.mark.parametrize("slug", SLUGS)
def test_article_page_shows_its_facts_and_switches_to_the_same_article(built_site, slug):
    article = next(a for a in load_project(ROOT).articles if a.slug == slug)
    vi, en = html(built_site, f"articles/{slug}/"), html(built_site / "en", f"articles/{slug}/")
    assert "<h1" in vi and article.meta.title.vi.replace("'", "&#39;") in vi.replace("&quot;", '"')
    assert "Ngày đăng" in vi and "Published" in en
    assert f'href="../../seeds/{article.seed.name}"' in vi
    assert f'href="../../seeds/{article.seed.name}"' in en
    assert (built_site / "seeds" / article.seed.name).read_bytes() == article.seed.read_bytes()
    if article.meta.url:
        assert f'href="{article.meta.url}"' in vi
    # The language selector links to this very article in the other language.
    assert f'href="../../en/articles/{slug}/" hreflang="en"' in vi
    assert f'href="../../../articles/{slug}/" hreflang="vi"' in en


def test_articles_index_lists_every_article_newest_first(built_site):
    for site in (built_site, built_site / "en"):
        page = html(site, "articles/")
        positions = [page.index(f'href="{slug}/"') for slug in [a.slug for a in load_project(ROOT).articles]]
        assert positions == sorted(positions)


def test_home_lists_latest_articles_and_about_lists_every_source(built_site):
    for site in (built_site, built_site / "en"):
        assert html(site, "").count('href="articles/') >= 5
        about = html(site, "about/")
        for slug in SLUGS:
            assert f'href="../articles/{slug}/"' in about
        assert "baogiaothong.vn" in about


def test_each_language_is_indexed_for_search_in_its_own_language(built_site):
    """Pagefind splits its index by each page's <html lang>: Vietnamese at the root, English under en/."""
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "data-pagefind-body" not in html:
            continue
        lang = "en" if page.is_relative_to(built_site / "en") else "vi"
        assert re.search(rf'<html lang="{lang}"', html), page


_REQUEST = re.compile(
    r"""<(?:script|img|link|iframe|source|video|audio)\b[^>]*?\s(?:src|href)=["']([^"']+)["']""", re.I
)
IMAGE_HOSTS = ("https://raw.githubusercontent.com/MinhHuuNguyen/ai-lectures/",)


def test_pages_request_nothing_from_third_parties_but_article_images(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for url in _REQUEST.findall(text):
            if re.match(r"^(https?:)?//", url):
                is_link_rel = re.search(
                    rf'<link\b[^>]*rel="(?:alternate ?|canonical)"[^>]*href="{re.escape(url)}"', text
                )
                assert url.startswith(IMAGE_HOSTS) or is_link_rel, f"{page}: requests {url}"
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def _same_tree(one: Path, two: Path) -> None:
    files = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(two)) for p in two.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(one, two, files, shallow=False)
    assert not mismatch and not errors


@pytest.mark.skipif(not build.parallel(), reason="one core: the session's site was built one language at a time")
def test_languages_built_at_once_make_the_same_site_as_one_after_the_other(built_site, tmp_path, monkeypatch):
    monkeypatch.setenv(build.PARALLEL_ENV, "0")
    _same_tree(built_site, build_site(Paths(ROOT), tmp_path / "sequential"))


@pytest.mark.skipif(not build.parallel(), reason="one core: the languages are built one after the other")
def test_kb_build_checks_while_each_language_builds_in_a_child(built_site, tmp_path, monkeypatch):
    started = []
    start_child = build._start_child

    def spy(paths, lang, *args, **kwargs):
        started.append(lang)
        return start_child(paths, lang, *args, **kwargs)

    monkeypatch.setattr(build, "_start_child", spy)
    assert main(["--root", str(ROOT), "build", "--site-dir", str(tmp_path / "site")]) == 0
    assert sorted(started) == ["en", "vi"]
    _same_tree(built_site, tmp_path / "site")


def test_the_default_language_built_into_a_folder_leaves_the_other_languages_folders(tmp_path):
    """Both languages are built at once into one folder: MkDocs' emptying of the Vietnamese site
    folder must not remove English pages already written (kb build, kb serve)."""
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    (site / "en" / "written.html").write_text("already built", encoding="utf-8")
    (site / "stale.html").write_text("an earlier build's", encoding="utf-8")
    build.build_language(Paths(ROOT), "vi", site)
    assert (site / "en" / "written.html").read_text(encoding="utf-8") == "already built"
    assert not (site / "stale.html").exists() and (site / "index.html").exists()


def test_another_language_built_into_its_folder_empties_it(tmp_path):
    import mkdocs.utils

    site = tmp_path / "site" / "en"
    (site / "en").mkdir(parents=True)  # not another language's folder: a stale folder of English
    (site / "en" / "stale.html").write_text("an earlier build's", encoding="utf-8")
    with build.others_kept("en"):
        mkdocs.utils.clean_directory(str(site))
    assert not (site / "en").exists()


def test_a_language_that_fails_in_its_child_fails_the_build_and_nothing_is_written(project, tmp_path, capfd):
    page = project / "docs" / "en" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[x](missing-page.md)\n", encoding="utf-8")
    with pytest.raises(build.BuildFailed) as caught:
        build_site(Paths(project), tmp_path / "site")
    assert "mkdocs.en.yml" in str(caught.value)
    assert "missing-page.md" in capfd.readouterr().err  # MkDocs' own message, from whichever process built English
    assert not (tmp_path / "site").exists() and not list(tmp_path.glob(".site.building-*"))


def test_two_builds_of_one_tree_are_byte_identical(tmp_path):
    one = build_site(Paths(ROOT), tmp_path / "one")
    two = build_site(Paths(ROOT), tmp_path / "two")
    compared = filecmp.dircmp(one, two)

    def differences(cmp: filecmp.dircmp) -> list[str]:
        found = cmp.left_only + cmp.right_only + cmp.diff_files
        for sub in cmp.subdirs.values():
            found += differences(sub)
        return found

    _, mismatch, errors = filecmp.cmpfiles(
        one, two, [str(p.relative_to(one)) for p in one.rglob("*") if p.is_file()], shallow=False
    )
    assert not differences(compared) and not mismatch and not errors


def test_missing_translation_shows_the_original_with_a_notice(project: Path, capsys):
    (project / "docs/en/articles/rewind-ai-2024.md").unlink()
    (project / "docs/en/about.md").unlink()
    assert main(["--root", str(project), "check"]) == 0
    assert main(["--root", str(project), "build"]) == 0
    page = html(project / "site/en", "articles/rewind-ai-2024/")
    assert "Not yet translated into English" in page
    assert '<div lang="vi">' in page and "Năm 2024 đã chứng kiến sự bùng nổ" in page
    index = html(project / "site/en", "articles/")
    assert "in Tiếng Việt only" in index
    about = html(project / "site/en", "about/")
    assert "Not yet translated into English" in about and "Giới thiệu và nguồn" in about
    for status in (html(project / "site/en", "translations/"), html(project / "site", "translations/")):
        rows = _status_rows(status)
        assert rows["articles/rewind-ai-2024/"][1] == "missing"
        assert rows["about/"][1] == "missing"
        assert rows["articles/state-of-ai-report-2024/"][1] == "current"


def test_stale_translation_is_a_warning_and_shows_a_banner(project: Path, capsys):
    path = project / "docs/en/articles/rewind-ai-2024.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"source_hash: \w+", "source_hash: deadbeefdeadbeef", text), encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert "docs/en/articles/rewind-ai-2024.md:" in out and "warning: translation is stale" in out
    assert main(["--root", str(project), "build"]) == 0
    page = html(project / "site/en", "articles/rewind-ai-2024/")
    assert "This translation may be out of date" in page
    assert 'href="../../../articles/rewind-ai-2024/"' in page


def test_a_changed_source_page_makes_its_translation_stale(project: Path, capsys):
    replace_in("docs/vi/about.md", "## Bản quyền", "Một câu mới.\n\n## Bản quyền")(project)
    assert main(["--root", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert "docs/en/about.md:1: source_hash: warning: translation is stale" in out
    assert main(["--root", str(project), "build"]) == 0
    about = html(project / "site/en", "about/")
    assert "This translation may be out of date" in about and 'href="../../about/" hreflang="vi"' in about
    assert "Một câu mới" not in about  # the stale translation is shown, with the banner
    assert _status_rows(html(project / "site", "translations/"))["about/"][1] == "stale"


def _status_rows(page: str) -> dict[str, tuple[str, ...]]:
    """The translation-status table: page link -> (state per language..., last change)."""
    table = page[page.index("<table>") : page.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        link = re.search(r'href="\.\./([^"]*)"', row)[1]
        states = re.findall(r'kb-state--(\w+)"', row)
        changed = re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.S)[-1]).strip()
        rows[link] = (*states, changed)
    return rows


@pytest.mark.parametrize("lang_dir", ["", "en/"])
def test_translation_status_lists_every_page_newest_change_first(built_site, lang_dir):
    page = html(built_site, f"{lang_dir}translations/")
    rows = _status_rows(page)
    expected = {f"articles/{slug}/" for slug in SLUGS} | {"", "about/"}
    assert set(rows) == expected
    assert {states[:2] for states in rows.values()} == {("source", "current")}
    form = "%d/%m/%Y" if lang_dir == "" else "%d %B %Y"
    dates = [dt.datetime.strptime(changed, form) for *_, changed in rows.values()]
    assert dates == sorted(dates, reverse=True)
    assert ("7 trang" if lang_dir == "" else "7 pages") in page


def test_sitemaps_list_each_page_in_both_languages_and_pages_fetch_no_sitemap(built_site):
    """hreflang lives in the sitemaps, and in each page's head as rel="alternate " (Material fetches a sitemap
    beside every link its selector link[rel=alternate] matches exactly; kb.site.pagemeta.HREFLANG_REL)."""
    for sitemap in (built_site / "sitemap.xml", built_site / "en" / "sitemap.xml"):
        xml = sitemap.read_text(encoding="utf-8")
        locs = re.findall(r"<loc>([^<]+)</loc>", xml)
        assert locs and len(re.findall(r'<xhtml:link rel="alternate" hreflang="vi"', xml)) == len(locs)
        assert len(re.findall(r'<xhtml:link rel="alternate" hreflang="en"', xml)) == len(locs)
    assert '<xhtml:link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en/articles/rewind-ai-2024/"/>' in (
        built_site / "sitemap.xml"
    ).read_text(encoding="utf-8")
    page = html(built_site, "articles/rewind-ai-2024/")
    assert not re.search(r"<link[^>]+rel=\"alternate\"[^>]+hreflang", page)
    assert re.search(r"<link[^>]+rel=\"alternate \"[^>]+hreflang", page)
