"""Pure rendering: every function returns Markdown text and writes nothing."""

from __future__ import annotations

import dataclasses
import posixpath
from collections import defaultdict

from kb.content.project import ARTICLES, Article, HumanPage, Project
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.site import paging
from kb.site.ui import UI

LATEST_MARKER = "<!-- kb:latest-articles -->"
SOURCES_MARKER = "<!-- kb:sources -->"
LATEST_COUNT = 5
LATEST_ON_INDEX = 20  # on /articles/ once it is split by year


def lang_root(lang: str) -> str:
    """Site-root-relative folder of a language: '' for the default, 'en/' for English."""
    return "" if lang == DEFAULT_LANG else f"{lang}/"


def language_url(site_url: str | None, lang: str) -> str | None:
    """A language's site_url: the configured one, with "en/" appended for English."""
    if lang != DEFAULT_LANG and site_url and not site_url.rstrip("/").endswith(f"/{lang}"):
        return site_url.rstrip("/") + f"/{lang}/"
    return site_url


def cross_lang_url(page_url: str, lang: str, target_lang: str, target: str | None = None) -> str:
    """Relative URL from a page of one build to a page of another language's build."""
    here = posixpath.dirname(lang_root(lang) + page_url.rstrip("/") + "/x")
    there = lang_root(target_lang) + (page_url if target is None else target)
    return posixpath.relpath(there or ".", here or ".") + ("/" if there.endswith("/") or not there else "")


def _escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def article_header(
    article: Article, lang: str, ui: UI, tag_links: list[str] | None = None, added: str | None = None
) -> str:
    """Title and the facts about an article, shown above its text (``added``: when it was added here)."""
    m = article.meta
    unknown = f"*{ui('unknown')}*"
    facts = [
        f"**{ui('published')}:** {ui.date(m.published)}",
        *([added] if added else []),
        f"**{ui('author')}:** {m.author or unknown}",
        f"**{ui('publisher')}:** {m.publisher or unknown}",
    ]
    links = []
    if m.url:
        links.append(f"[{ui('original')} :octicons-link-external-16:]({m.url}){{ .kb-original rel=nofollow }}")
    else:
        links.append(f"*{ui('no_original')}*")
    links.append(f"[{ui('raw_seed')}](../seeds/{article.seed.name}){{ .kb-seed }}")
    lines = [
        f"# {article.title(lang)}",
        "",
        '<div class="kb-meta" markdown>',
        "",
        " · ".join(facts),
        "",
        " · ".join(links),
    ]
    chips = tag_links if tag_links is not None else [f'<span class="kb-tag">{tag}</span>' for tag in m.tags]
    if chips:
        lines += ["", f"{ui('tags')}: " + " ".join(chips)]
    lines += ["", "</div>", ""]
    return "\n".join(lines)


def article_footer(article: Article, lang: str, ui: UI) -> str:
    """Source and translator's notes, shown after an article's text."""
    parts = []
    if article.meta.note:
        parts.append(f'!!! info "{ui("provenance_note")}"\n\n    {article.meta.note[lang]}\n')
    translation = article.translations.get(lang)
    if translation and translation.meta.translator_notes:
        items = "\n".join(f"    - {note}" for note in translation.meta.translator_notes)
        parts.append(f'!!! note "{ui("translator_notes")}"\n\n{items}\n')
    return ("\n\n" + "\n".join(parts)) if parts else ""


def state_banner(lang: str, ui: UI, page_url: str, source_lang: str) -> str:
    """A notice for a stale translation, linking to the original."""
    # Raw HTML: the original lives in the other language's build, outside this one's files.
    url = cross_lang_url(page_url, lang, source_lang)
    body = f'{ui("stale_body")} <a href="{url}" hreflang="{source_lang}">{ui("read_original")}</a>.'
    return f'!!! warning "{ui("stale_title")}"\n\n    {body}\n\n'


def fallback_page(title: str, body: str, lang: str, source_lang: str, ui: UI, uis: dict[str, UI]) -> str:
    """A page shown where a translation is missing: a notice, then the original."""
    notice = ui("missing_body", lang_name=uis[source_lang]("language_name"))
    return (
        paging.front(title, fields={"kb_fallback": source_lang})
        + f'!!! warning "{ui("missing_title")}"\n\n    {notice}\n\n'
        f'<div lang="{source_lang}" markdown>\n\n{body.strip()}\n\n</div>\n'
    )


def article_item(article: Article, lang: str, ui: UI, prefix: str, uis: dict[str, UI]) -> str:
    """One line of an article list: title, date, publisher, then the summary."""
    m = article.meta
    meta = [ui.date(m.published)]
    if m.publisher:
        meta.append(m.publisher)
    if article.state(lang) == "missing":
        meta.append(ui("only_in", lang_name=uis[DEFAULT_LANG]("language_name")))
    link = f"[{_escape(article.title(lang))}]({prefix}{article.slug}.md)"
    summary = article.summary(lang)
    return f"- **{link}**  \n  <span class='kb-small'>{' · '.join(meta)}</span>  \n  {summary}"


def _by_year(articles: list[Article]) -> dict[int, list[Article]]:
    """Articles grouped by the year they were published, newest year first."""
    by_year: dict[int, list[Article]] = defaultdict(list)
    for article in articles:
        by_year[article.meta.published.value.year].append(article)
    return dict(sorted(by_year.items(), reverse=True))


def _articles_head(project: Project, ui: UI) -> list[str]:
    return [
        paging.front(ui("articles_title"), searchable=False),
        f"# {ui('articles_title')}\n",
        f"{ui('articles_intro')} {ui('articles_count', count=len(project.articles))}.\n",
    ]


def articles_index(project: Project, lang: str, ui: UI, uis: dict[str, UI]) -> str:
    """The /articles/ page: every article, newest first, grouped by year."""
    by_year = _by_year(project.articles)
    out = _articles_head(project, ui)
    for year in by_year:
        out.append(f"## {year}\n")
        out.extend(article_item(a, lang, ui, "", uis) for a in by_year[year])
        out.append("")
    return "\n".join(out)


def article_pages(project: Project, lang: str, ui: UI, uis: dict[str, UI]) -> dict[str, str]:
    """/articles/ on one page, or, past the limit, an index by year and a page (or pages) per year."""
    limit = paging.LIMITS.articles
    if len(project.articles) <= limit:
        return {f"{ARTICLES}/index.md": articles_index(project, lang, ui, uis)}
    by_year = _by_year(project.articles)
    index = [
        *_articles_head(project, ui),
        f"## {ui('articles_by_year')}\n",
        *(f"- [{year}]({year}.md) · {ui('articles_count', count=len(by_year[year]))}" for year in by_year),
        "",
        f"## {ui('articles_latest')}\n",
        *(article_item(a, lang, ui, "", uis) for a in project.articles[:LATEST_ON_INDEX]),
        "",
    ]
    pages = {f"{ARTICLES}/index.md": "\n".join(index)}
    for year, articles in by_year.items():
        count = f"{ui('articles_count', count=len(articles))}.\n"
        pages |= paging.paginate(
            f"{ARTICLES}/{year}.md",
            f"{ui('articles_title')} {year}",
            lambda prefix, count=count: count,
            [lambda prefix, a=a: article_item(a, lang, ui, f"{prefix}{ARTICLES}/", uis) for a in articles],
            ui,
            limit,
            searchable=False,
        )
    return pages


def latest_articles(project: Project, lang: str, ui: UI, uis: dict[str, UI]) -> str:
    return "\n".join(article_item(a, lang, ui, f"{ARTICLES}/", uis) for a in project.articles[:LATEST_COUNT])


def sources_table(project: Project, lang: str, ui: UI) -> str:
    """The About page's table of where each article comes from."""
    rows = [
        f"| {ui('sources_article')} | {ui('sources_from')} | {ui('sources_date')} | {ui('sources_seed')} |",
        "|---|---|---|---|",
    ]
    limit = paging.LIMITS.sources
    for a in project.articles[:limit]:
        m = a.meta
        source = m.publisher or f"*{ui('unknown')}*"
        if m.url:
            source = f"[{source}]({m.url})"
        title = _escape(a.title(lang)).replace("|", "\\|")
        rows.append(
            f"| [{title}]({ARTICLES}/{a.slug}.md) | {source} | {ui.date(m.published)} | "
            f"[`{a.seed.name}`](seeds/{a.seed.name}) |"
        )
    if len(project.articles) > limit:
        rows += ["", ui("sources_more", count=len(project.articles) - limit)]
    return "\n".join(rows)


STATES = ("source", "current", "stale", "missing")


def _state_cell(page: Article | HumanPage, lang: str, ui: UI) -> str:
    state = page.state(lang)
    label = ui(f"state_{state}")
    drafts = page.drafts if isinstance(page, Article) else {k: v for k, v in page.versions.items() if v.meta.draft}
    if state == "missing" and lang in drafts:
        label += f" ({ui('state_draft')})"
    return f'<span class="kb-state kb-state--{state}">{label}</span>'


def translations_pages(project: Project, lang: str, ui: UI, uis: dict[str, UI]) -> dict[str, str]:
    """/translations/: every page and the state of each language, newest changes first (paged when long)."""
    rows: list[tuple[str, str, Article | HumanPage]] = []
    for article in project.articles:
        rows.append((article.changed.sort_key, article.src_uri, article))
    for page in project.pages:
        changed = page.changed
        rows.append((changed.sort_key if changed else "", page.src_uri, page))
    rows.sort(key=lambda row: (row[0], row[1]), reverse=True)

    counts = {state: 0 for state in STATES}
    for _, _, page in rows:
        for other in LANGS:
            counts[page.state(other)] += 1
    head = " | ".join(
        [ui("translations_page"), *(uis[other]("language_name") for other in LANGS), ui("translations_changed")]
    )
    intro = [
        ui("translations_intro") + "\n",
        ui(
            "translations_summary",
            pages=len(rows),
            current=counts["current"],
            stale=counts["stale"],
            missing=counts["missing"],
        )
        + "\n",
    ]
    per_page = paging.LIMITS.rows
    chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    sources = paging.page_sources("translations.md", len(chunks))
    pages = {}
    for n, (src, chunk) in enumerate(zip(sources, chunks, strict=True), 1):
        prefix = paging.root_prefix(src)
        title = ui("translations_title") if n == 1 else f"{ui('translations_title')} ({ui('pager_page', n=n)})"
        nav = paging.pager(src, sources, ui) if len(sources) > 1 else ""
        out = [paging.front(title, searchable=False), f"# {title}\n", *(intro if n == 1 else []), nav]
        out += [f"| {head} |", "|" + "---|" * (len(LANGS) + 2)]
        for _, src_uri, page in chunk:
            label = _escape(page.title(lang)).replace("|", "\\|")
            changed = page.changed
            cells = [f"[{label}]({prefix}{src_uri})", *(_state_cell(page, other, ui) for other in LANGS)]
            cells.append(ui.date(dataclasses.replace(changed, has_time=False)) if changed else f"*{ui('unknown')}*")
            out.append("| " + " | ".join(cells) + " |")
        out += ["", nav, ui("translations_generated") + "\n"]
        pages[src] = "\n".join(out)
    return pages
