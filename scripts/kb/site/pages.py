"""Which pages the build generates for a language, and their content.

Generated pages exist only in memory and in the built site: they are never
written into ``docs/``. A person's file at a generated page's path is an
error, not something the build overwrites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb.content.project import ARTICLES, Article, HumanPage, Project, load_project_cached
from kb.content.schema import DEFAULT_LANG
from kb.errors import ContentError, Problem
from kb.knowledge.facts import Knowledge, load_knowledge, mentioned_entities, prose
from kb.site import article_pages, dates, dictionary, downloads, knowledge_pages, pagemeta, trends
from kb.site.ui import UI, load_ui


@dataclass
class Site:
    """A loaded project plus what one language's build generates."""

    project: Project
    lang: str
    uis: dict[str, UI]
    knowledge: Knowledge = field(default_factory=Knowledge)
    mentions: dict[str, list[str]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    static: dict[str, bytes] = field(default_factory=dict)
    # A person's draft translation: its path is served by a generated page instead.
    replaced: set[str] = field(default_factory=set)
    # Glossary terms each article page uses (found while linking them), for search (instead of indexed_terms).
    terms_used: dict[str, set[str]] = field(default_factory=dict)
    # kb serve's: an article body's linked form and terms, kept between rebuilds while the glossary is the same.
    linked: dict[tuple[str, str], tuple[str, frozenset[str]]] | None = None

    @property
    def ui(self) -> UI:
        return self.uis[self.lang]

    def article_for(self, src_uri: str) -> Article | None:
        if not src_uri.startswith(f"{ARTICLES}/") or src_uri.count("/") != 1:
            return None
        return self.project.article(src_uri.removeprefix(f"{ARTICLES}/").removesuffix(".md"))

    def human_page(self, src_uri: str) -> HumanPage | None:
        return next((p for p in self.project.pages if p.src_uri == src_uri), None)


def mentions(
    project: Project, knowledge: Knowledge, memo: dict[tuple[tuple[str, str], ...], list[str]] | None = None
) -> dict[str, list[str]]:
    """Article slug -> the entities its text mentions, in either language (computed once per project).

    ``memo`` (kb serve's, kept while the entities are the same) maps an article's texts to what they mention.
    """
    if "mentions" not in project.cache:
        project.cache["mentions"] = {a.slug: mentioned_ids(knowledge, article_texts(a), memo) for a in project.articles}
    return project.cache["mentions"]


def article_texts(article: Article) -> tuple[tuple[str, str], ...]:
    """An article's texts, (language, Markdown) in each language it has, where its mentions are found."""
    return ((DEFAULT_LANG, article.body), *((t.lang, t.body) for t in article.translations.values()))


def mentioned_ids(
    knowledge: Knowledge, texts: tuple[tuple[str, str], ...], memo: dict[tuple[tuple[str, str], ...], list[str]] | None
) -> list[str]:
    """The ids of the entities the texts mention (found once per texts when there is a ``memo``)."""
    ids = memo.get(texts) if memo is not None else None
    if ids is None:
        ids = [e.id for e in mentioned_entities(knowledge, list(texts))]
        if memo is not None:
            memo[texts] = ids
    return ids


def human_pages(docs: Path) -> set[str]:
    """Markdown pages a person wrote in one language's docs folder."""
    if not docs.is_dir():
        return set()
    return {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}


def load_site(
    root: Path,
    lang: str,
    project: Project | None = None,
    mentions_memo: dict[tuple[tuple[str, str], ...], list[str]] | None = None,
) -> Site:
    """Load and check the project (unless given), then plan the pages this language generates
    (``mentions_memo``: see :func:`mentions`)."""
    project = project or load_project_cached(root)
    project.raise_errors()
    paths = project.paths
    uis = load_ui(paths.data, root)
    knowledge = project.cache.get("knowledge") or project.cache.setdefault("knowledge", load_knowledge(project))
    if any(not p.warning for p in knowledge.problems):  # warnings are for `kb check` to show
        raise ContentError(knowledge.problems)
    site = Site(project, lang, uis, knowledge)
    site.mentions = mentions(project, knowledge, mentions_memo)
    ui = uis[lang]
    mine = human_pages(paths.lang_docs(lang))

    def add(src_uri: str, content: str) -> None:
        if src_uri in site.pages:
            raise ContentError(
                Problem(
                    src_uri,
                    "two generated pages would have this path",
                    expected="ids and slugs that do not clash with the generated pages (years, kind-<type>)",
                )
            )
        if src_uri in mine and src_uri not in site.replaced:
            shown = paths.show(paths.lang_docs(lang) / src_uri)
            raise ContentError(
                Problem(
                    shown,
                    "this path is generated by the build",
                    expected="another file name (the build never overwrites a person's file)",
                )
            )
        site.pages[src_uri] = content

    for article in project.articles:
        if lang == DEFAULT_LANG:
            add(article.src_uri, article.page())
        elif lang not in article.translations:
            if lang in article.drafts:
                site.replaced.add(article.src_uri)
            add(
                article.src_uri,
                article_pages.fallback_page(article.title(lang), article.body, lang, DEFAULT_LANG, ui, uis),
            )
    for src_uri, content in article_pages.article_pages(project, lang, ui, uis).items():
        add(src_uri, content)
    k = knowledge
    for src_uri, content in knowledge_pages.timeline_pages(k, project, lang, ui).items():
        add(src_uri, content)
    add("topics/index.md", knowledge_pages.topics_index(k, project, lang, ui))
    for topic_id in k.topics:
        for src_uri, content in knowledge_pages.topic_pages(topic_id, k, project, lang, ui).items():
            add(src_uri, content)
    for src_uri, content in knowledge_pages.entities_pages(k, lang, ui).items():
        add(src_uri, content)
    for entity in k.entities.values():
        for src_uri, content in knowledge_pages.entity_pages(entity, k, project, site.mentions, lang, ui).items():
            add(src_uri, content)
    add("glossary.md", knowledge_pages.glossary(k, project, lang, ui))
    for src_uri, content in article_pages.translations_pages(project, lang, ui, uis).items():
        add(src_uri, content)
    text = project.cache.get("dictionary") or project.cache.setdefault(
        "dictionary", dictionary.load_dictionary(paths.data, root)
    )
    add(downloads.PAGE, dictionary.page(site, text))
    downloads.add_links(site)

    # A page people wrote but not (or only as a draft) in this language: the original, with a notice.
    for page in project.pages:
        if page.state(lang) != "missing":
            continue
        if lang in page.versions:
            site.replaced.add(page.src_uri)
        source = page.source
        site.pages[page.src_uri] = article_pages.fallback_page(
            page.title(page.source_lang), source.body, lang, page.source_lang, ui, uis
        )

    for article in project.articles:
        site.static[f"seeds/{article.seed.name}"] = article.seed_bytes
    return site


# Glossary links in an article point from its page to the glossary page.
TERM_LINK_PREFIX = "../"


def link_article_terms(body: str, k: Knowledge, lang: str, prefix: str) -> tuple[str, set[str]]:
    """An article body with its glossary terms linked, and the terms it links."""
    used: set[str] = set()
    return knowledge_pages.link_terms(body, k, lang, prefix, used), used


def article_body(markdown: str) -> str:
    """The part of an article page's Markdown whose glossary terms are linked."""
    return markdown.lstrip("\n")


def decorate(markdown: str, src_uri: str, page_url: str, site: Site) -> str:
    """Add the generated parts of a page: article header and footer, lists, an article's glossary links."""
    lang, ui, project = site.lang, site.ui, site.project
    article = site.article_for(src_uri)
    if article is not None:
        body = article_body(markdown)
        if site.knowledge.terms:
            known = site.linked.get((lang, body)) if site.linked is not None else None
            if known is None:
                linked, used = link_article_terms(body, site.knowledge, lang, TERM_LINK_PREFIX)
                known = linked, frozenset(used)
                if site.linked is not None:
                    site.linked[(lang, body)] = known
            body = known[0]
            site.terms_used.setdefault(src_uri, set()).update(known[1])
        return (
            article_pages.article_header(article, lang, ui, _topic_links(article, site), _added(article, site))
            + (article_pages.state_banner(lang, ui, page_url, DEFAULT_LANG) if article.state(lang) == "stale" else "")
            + body
            + article_pages.article_footer(article, lang, ui)
            + knowledge_pages.article_knowledge(article, site.knowledge, project, site.mentions, lang, ui)
        )
    page = site.human_page(src_uri)
    if page is not None and page.state(lang) == "stale":
        markdown = _after_title(markdown, article_pages.state_banner(lang, ui, page_url, page.source_lang))
    if article_pages.LATEST_MARKER in markdown:
        markdown = markdown.replace(
            # The latest articles are found on their own pages: the home page is no result for their words.
            article_pages.LATEST_MARKER,
            knowledge_pages.not_indexed(article_pages.latest_articles(project, lang, ui, site.uis)),
        )
    if trends.TRENDS_MARKER in markdown:
        markdown = markdown.replace(  # as the latest articles: each part is found on the pages it links to
            trends.TRENDS_MARKER,
            knowledge_pages.not_indexed(trends.trends_section(site.knowledge, project, site.mentions, lang, ui)),
        )
    if article_pages.SOURCES_MARKER in markdown:
        markdown = markdown.replace(article_pages.SOURCES_MARKER, article_pages.sources_table(project, lang, ui))
    return markdown


def indexed_terms(k: Knowledge, lang: str, markdown: str) -> set[str]:
    """The glossary terms in the part of a page's Markdown that search indexes (an article's are the
    ones found while linking them, :attr:`Site.terms_used`).

    The lists of a topic or entity page are left out of the index, and so are their terms.
    """
    if not k.terms:
        return set()
    return k.names(lang).found_ids(prose(knowledge_pages.indexed_part(markdown)), "term")


def _added(article: Article, site: Site) -> str | None:
    """'Added here: date' when git knows when the article's seed was committed (kb.site.dates)."""
    history = dates.page_dates(site.project, site.knowledge, site.mentions)
    return pagemeta.added_fact(history.added(article), site.ui)


def _topic_links(article: Article, site: Site) -> list[str]:
    topics = site.knowledge.topics
    return [f"[{topics[t].name[site.lang]}](../topics/{t}.md){{ .kb-tag }}" for t in article.meta.tags if t in topics]


def _after_title(markdown: str, insert: str) -> str:
    """Insert text after a page's first heading (or at its top when it has none)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: i + 1], "", insert.rstrip("\n"), "", *lines[i + 1 :]])
    return insert + markdown
