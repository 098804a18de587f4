"""MkDocs hook: the thin layer between MkDocs and the kb package.

Listed under ``hooks:`` in mkdocs.yml, so plain ``mkdocs build`` and
``mkdocs serve`` generate the same pages as ``kb build``. It only calls
into the package; the work happens in kb.site.pages and kb.site.article_pages.
"""

from __future__ import annotations

import gc
import gzip
import html
import os
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from kb.content.schema import LANGS
from kb.errors import ContentError
from kb.search import pagefind
from kb.site import article_pages, dates, feeds, pagemeta, pages
from kb.site.finish import PageWork
from kb.site.ui import UI
from kb.textutil import read_text

_sites: dict[str, pages.Site] = {}
_work: dict[str, PageWork] = {}
# Each language's pages (absolute address) -> the date each shows as last updated: the sitemap's lastmod.
_shown: dict[str, dict[str, object]] = {}


def _lang(config: MkDocsConfig) -> str:
    return str(config.theme["language"])


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = Path(config.config_file_path).resolve().parent
    lang = _lang(config)
    # The loaded project lives until the build ends: keep the garbage collector from walking it
    # again and again while it is loaded and while MkDocs renders (seconds at thousands of articles).
    gc.disable()
    try:
        site = pages.load_site(root, lang)
    except ContentError as exc:
        raise PluginError(f"kb: content problems:\n{exc}") from None
    finally:
        gc.enable()
    _sites[lang] = site
    _work[lang] = PageWork(lang, site.knowledge)
    gc.collect()  # first, so no garbage (an earlier build's, in kb build and serve) is frozen with it
    gc.freeze()  # until on_post_build
    # Reproducible output: the sitemap's dates and gzip stamp come from the content.
    if "SOURCE_DATE_EPOCH" not in os.environ and site.project.articles:
        newest = max(a.meta.published.value for a in site.project.articles)
        os.environ["SOURCE_DATE_EPOCH"] = str(int(newest.timestamp()))
    config.site_url = article_pages.language_url(config.site_url, lang)
    config.extra.update(template_extra(lang, config.site_url, site.ui, bool(pagefind.archived(site.project.articles))))
    return config


def template_extra(lang: str, site_url: str | None, ui: UI, archive: bool = False) -> dict[str, object]:
    """What the templates read from ``extra``: each language's root (for overrides/main.html's
    hreflang links) and the search dialog's bundle path, its archive's path, if it has one
    (:func:`kb.search.pagefind.archived`), and its strings (overrides/partials/kb-search.html)."""
    extra: dict[str, object] = {}
    if site_url:
        root_url = site_url.removesuffix(article_pages.lang_root(lang)).rstrip("/") + "/"
        extra["kb_roots"] = {other: root_url + article_pages.lang_root(other) for other in LANGS}
    extra["kb_feeds"] = feeds.head_links(ui)  # announced in every page's head (overrides/partials/kb-feeds.html)
    extra["kb_search"] = {
        "bundle": f"{pagefind.BUNDLE}/",  # each language's own, at its root
        "archive": f"{pagefind.ARCHIVE}/" if archive else "",
        "strings": search_strings(ui),
    }
    return extra


def search_strings(ui: UI) -> dict[str, str]:
    """The strings of the search dialog (assets/kb-search.js)."""
    names = {
        "placeholder": "search_placeholder",
        "load_more": "search_load_more",
        "search_label": "search_label",
        "zero_results": "search_zero",
        "many_results": "search_many",
        "many_newest": "search_many_newest",
        "one_result": "search_one",
        "searching": "search_searching",
        "open": "search_open",
        "close": "search_close",
    }
    return {name: ui(key) for name, key in names.items()}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    site = _sites[_lang(config)]
    for src_uri in sorted(site.replaced):
        if (draft := files.get_file_from_path(src_uri)) is not None:
            files.remove(draft)
    for src_uri, content in sorted(site.pages.items()):
        files.append(File.generated(config, src_uri, content=content))
    for src_uri, data in sorted(site.static.items()):
        files.append(File.generated(config, src_uri, content=data))
    # The downloads, the calendar and the feeds (kb.site.downloads, kb.site.feeds): absolute addresses need site_url.
    for src_uri, data in sorted(feeds.site_files(site, config.site_url, config.site_name).items()):
        files.append(File.generated(config, src_uri, content=data))
    return files


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    """A person's page as kb reads it: UTF-8, NFC, LF line ends, byte-order mark dropped."""
    if page.file.generated_by or not page.file.abs_src_path:
        return None
    return _person_source(Path(page.file.abs_src_path))


def _person_source(path: Path) -> str:
    try:
        return read_text(path, path.name)
    except ContentError as exc:
        raise PluginError(f"kb: {exc}") from None


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return pages.decorate(markdown, page.file.src_uri, page.url, _sites[_lang(config)])


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The page's HTML finished (kb.site.finish): active content (scripts, embeds, event handlers,
    javascript: links) removed, and the content, with its extra search words, marked as what Pagefind
    indexes (unless the page's front-matter says ``search: {exclude: true}``, as pure lists do).
    """
    site = _sites[_lang(config)]
    searchable = pagefind.searchable(page.meta)
    # An article's glossary terms were found while linking them; another page's are found in its Markdown.
    terms = site.terms_used.get(page.file.src_uri)
    markdown = page.markdown or "" if searchable and terms is None else ""
    content = _work[_lang(config)].finish(html, searchable, terms, markdown, page.file.src_uri)
    # The last-updated date, the citation and the head's tags (kb.site.pagemeta); outside the indexed part.
    content, shown = pagemeta.finish_page(
        content, page, config, site, dates.page_dates(site.project, site.knowledge, site.mentions)
    )
    _shown.setdefault(_lang(config), {})[page.canonical_url or page.url] = shown
    return content


def on_post_build(config: MkDocsConfig) -> None:
    """List each page's versions in every language in sitemap.xml (hreflang for search engines)."""
    gc.unfreeze()  # what on_config froze can be collected again (kb serve loads a new project each build)
    lang = _lang(config)
    _work.pop(lang, None)
    roots = config.extra.get("kb_roots")
    sitemap = Path(config.site_dir) / "sitemap.xml"
    if not roots or not sitemap.exists():
        return
    here = roots[lang]
    text = sitemap.read_text(encoding="utf-8")

    def alternates(match: re.Match[str]) -> str:
        loc = match.group(1)
        if not loc.startswith(here):
            return match.group(0)
        path = loc.removeprefix(here)
        links = "".join(
            f'\n         <xhtml:link rel="alternate" hreflang="{other}" href="{html.escape(root + path)}"/>'
            for other, root in roots.items()
        )
        return match.group(0) + links

    text = pagemeta.sitemap_lastmod(text, _shown.pop(lang, {}))
    text = re.sub(r"<loc>([^<]+)</loc>", alternates, text)
    text = text.replace(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    )
    sitemap.write_text(text, encoding="utf-8")
    compressed = sitemap.with_name("sitemap.xml.gz")
    if compressed.exists():
        compressed.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def on_build_error(error: Exception) -> None:
    gc.unfreeze()
    _work.clear()
    _shown.clear()
