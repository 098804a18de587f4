"""Long lists split into pages, so no page grows with the whole knowledge base.

Below its limit a list stays on one page, as readers of a small knowledge
base expect; above it, the list is cut into numbered pages with a pager,
or grouped (articles and timeline by year, entities by type). The limits
are here, in one place; tests lower them to exercise the split pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb.site.ui import UI


@dataclass
class Limits:
    """Most items a list shows on one page."""

    articles: int = 100  # /articles/ before it splits by year; each year page's page size
    timeline: int = 300  # events on /timeline/ before it splits by year
    events_per_page: int = 100  # events per timeline year page
    listed: int = 50  # articles or events shown on a topic or entity page
    entities: int = 300  # entities on /entities/ before it splits by type
    rows: int = 200  # rows of the translation-status table per page
    sources: int = 100  # sources listed on the About page
    searched_first: int = 1000  # newest articles in the main search index; older ones in its archive


LIMITS = Limits()

# Front-matter that keeps a page out of the search index (Material's own key for this).
NOT_SEARCHABLE = "search: {exclude: true}"

Render = Callable[[str], str]  # item -> Markdown, given the relative path from its page to the docs root


def root_prefix(src_uri: str) -> str:
    """The relative path from a page's folder to the docs root ('' or '../'...)."""
    return "../" * src_uri.count("/")


def link(from_src: str, to_src: str) -> str:
    """A relative Markdown link from one page's source to another's (both docs-relative, as MkDocs gives them).

    What ``posixpath.relpath`` gives, without its trips to the file system's
    current folder: split list pages make hundreds of thousands of these.
    """
    folders, target = from_src.split("/")[:-1], to_src.split("/")
    shared = 0
    while shared < min(len(folders), len(target) - 1) and folders[shared] == target[shared]:
        shared += 1
    return "/".join([".."] * (len(folders) - shared) + target[shared:])


def page_sources(base: str, count: int) -> list[str]:
    """'x/y.md', then 'x/y/2.md', 'x/y/3.md'... for ``count`` pages."""
    stem = base.removesuffix(".md")
    return [base, *(f"{stem}/{n}.md" for n in range(2, count + 1))]


def front(
    title: str, hide: list[str] | None = None, *, searchable: bool = True, fields: dict[str, str] | None = None
) -> str:
    """A generated page's front-matter: its title, what Material should hide, and whether search indexes it.

    Pure lists (of articles, entities, years) are left out of the search
    index: what they list is found on its own page, and every word they
    repeat makes the index chunks a reader downloads bigger.
    """
    lines = ["---", "title: " + '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"']
    if hide:
        lines.append("hide: [" + ", ".join(hide) + "]")
    if not searchable:
        lines.append(NOT_SEARCHABLE)
    lines += [f"{key}: {value}" for key, value in (fields or {}).items()]
    return "\n".join(lines) + "\n---\n\n"


def pager(src: str, sources: list[str], ui: UI) -> str:
    """Links to every page of a split list, the current one in bold."""
    current = sources.index(src)
    items = []
    for n, other in enumerate(sources, 1):
        label = str(n)
        items.append(f"**{label}**" if other == src else f"[{label}]({link(src, other)})")
    steps = []
    if current > 0:
        steps.append(f"[← {ui('pager_previous')}]({link(src, sources[current - 1])})")
    if current < len(sources) - 1:
        steps.append(f"[{ui('pager_next')} →]({link(src, sources[current + 1])})")
    return f'<nav class="kb-pager" aria-label="{ui("pager_label")}" markdown>\n\n{" · ".join(items)}  \n{" · ".join(steps)}\n\n</nav>\n'


def paginate(
    base: str,
    title: str,
    intro: Render,
    items: list[Render],
    ui: UI,
    per_page: int,
    *,
    searchable: bool = True,
    head: Callable[[int], str] | None = None,
) -> dict[str, str]:
    """A list as one page or several: src_uri -> Markdown. The intro shows on the first page only;
    ``head``, given a page's index (from 0), what shows at the top of every page."""
    chunks = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
    sources = page_sources(base, len(chunks))
    pages = {}
    for n, (src, chunk) in enumerate(zip(sources, chunks, strict=True), 1):
        prefix = root_prefix(src)
        heading = title if n == 1 else f"{title} ({ui('pager_page', n=n)})"
        nav = pager(src, sources, ui) if len(sources) > 1 else ""
        body = [front(heading, searchable=searchable), f"# {heading}\n"]
        if n == 1:
            body.append(intro(prefix))
        if head is not None:
            body.append(head(n - 1))
        body += [nav, *(render(prefix) for render in chunk), "", nav]
        pages[src] = "\n".join(body)
    return pages
