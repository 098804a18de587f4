"""What a page says about itself: its date, a citation, link previews and structured data.

- The footer of every page: "Last updated" (:mod:`kb.site.dates`) and a
  "Cite this page" block (plain text in the APA manner, and BibTeX), whose
  date accessed is a placeholder at build time that ``assets/kb-cite.js``
  fills in with the reader's date (the build stays reproducible; without
  JavaScript the reader fills it in).
- The head of every page: a per-page description, Open Graph and Twitter
  card tags, ``hreflang`` links to the page in every language, and JSON-LD
  that fits the page (an article as ``NewsArticle`` or ``BlogPosting`` based
  on its original, the timeline's events, an entity as an organisation,
  person or software, the glossary as a ``DefinedTermSet``).

Everything here is pure: strings in, HTML strings out.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.content.project import ARTICLES, Article
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.knowledge.facts import EventDate, Knowledge
from kb.site import asof
from kb.site.dates import PageDates, pubdate
from kb.site.ui import UI
from kb.textutil import MATH

SCHEMA = "https://schema.org"
# An entity's type -> its schema.org type; a type not listed (one added later) is a Thing.
ENTITY_TYPES = {
    "organization": "Organization",
    "person": "Person",
    "model": "SoftwareApplication",
    "product": "SoftwareApplication",
    "dataset": "Dataset",
    "report": "Report",
}
DESCRIPTION_MAX = 300  # characters of a page's description (search results and previews cut longer ones)
# Material's JavaScript fetches a sitemap.xml beside every <link rel="alternate"> it finds
# (document.querySelectorAll("link[rel=alternate]"), an exact match of the attribute's value),
# which is a 404 for every page but a language's root. The trailing space keeps the same one
# token, "alternate", for search engines and HTML, and keeps Material's selector from matching.
HREFLANG_REL = "alternate "


@dataclass(frozen=True)
class PageInfo:
    """What the head and footer of one page are made from."""

    src_uri: str
    url: str  # the page's absolute address (its canonical URL), or its site-relative one without a site_url
    title: str
    lang: str
    site_name: str
    roots: dict[str, str]  # language -> the absolute address of its root ({} without a site_url)
    page_path: str  # the page's address relative to its language's root ('' for the home page)


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_NOT_TEXT = re.compile(r"\{[:#.][^}]*\}|<[^>]+>|[*`]+|(?<!\w)_+|_+(?!\w)")


def plain(markdown: str) -> str:
    """Markdown text as plain text: images, link targets, emphasis, HTML and attribute lists removed."""
    if "$" in markdown or "\\" in markdown:  # TeX math is left out, as search leaves it out
        markdown = MATH.sub(" ", markdown)
    text = _NOT_TEXT.sub("", _LINK.sub(r"\1", _IMAGE.sub("", markdown)))
    return re.sub(r"\s+", " ", text).strip()


_NOT_PROSE = re.compile(r"^(#|!!!|\?\?\?|[-*+] |\d+\. |<|\||```|~~~|>|\{|\$\$)")


def first_text(markdown: str) -> str:
    """The first paragraph of prose of a page's Markdown (not a heading, list, table, notice or HTML)."""
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block and not _NOT_PROSE.match(block):
            return plain(block)
    return ""


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def kind(src_uri: str, article: Article | None, human: bool, k: Knowledge) -> str:
    """The kind of page: article, timeline, topic, entity, glossary, home, page (a person's) or list
    (the index pages, a topic's or an entity's further pages of articles, the entity index by type)."""
    parts = src_uri.removesuffix(".md").split("/")
    if article is not None:
        return "article"
    if human:
        return "home" if src_uri == "index.md" else "page"
    if parts[0] in {"timeline", "glossary"}:
        return parts[0]
    if len(parts) == 2 and parts[0] == "topics" and parts[1] in k.topics:
        return "topic"
    if len(parts) == 2 and parts[0] == "entities" and parts[1] in k.entities:
        return "entity"
    return "list"


# --------------------------------------------------------------------------
# Footer: last updated, and the citation
# --------------------------------------------------------------------------


def bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def citation_key(info: PageInfo) -> str:
    path = re.sub(r"[^a-z0-9]+", "-", info.page_path.lower()).strip("-") or "home"
    return f"{info.lang}-{path}"


def footer(
    info: PageInfo, changed: dt.date | None, ui: UI, anchor_example: str | None = None, *, cite: bool = True
) -> str:
    """The HTML after a page's content: its last-updated date and (unless ``cite`` is false) a citation."""
    out = [f'<aside class="kb-pagemeta" aria-label="{html.escape(ui("page_info"))}">']
    when = ui.date(pubdate(changed)) if changed else None
    if when:
        out.append(
            f'<p class="kb-updated">{html.escape(ui("last_updated"))}: '
            f'<time datetime="{changed.isoformat()}">{html.escape(when)}</time></p>'
        )
    if not cite:
        return "\n".join([*out, "</aside>"]) + "\n" if when else ""
    placeholder = ui("cite_accessed_placeholder")
    text = ui(
        "cite_text",
        title=info.title,
        date=when or ui("cite_no_date"),
        site=info.site_name,
        url=info.url,
        accessed=placeholder,
    )
    fields = [
        ("title", "{" + bibtex_escape(info.title) + "}"),
        ("author", "{{" + bibtex_escape(info.site_name) + "}}"),
        ("howpublished", "{\\url{" + info.url + "}}"),
    ]
    if changed:
        fields += [("year", "{" + str(changed.year) + "}"), ("month", "{" + str(changed.month) + "}")]
    fields += [("language", "{" + info.lang + "}"), ("urldate", "{" + placeholder + "}")]
    bibtex = f"@misc{{{citation_key(info)},\n" + ",\n".join(f"  {k:<12} = {v}" for k, v in fields) + "\n}"
    months = "|".join(str(m) for m in ui.strings.get("month_names") or [])
    out += [
        f'<details class="quote kb-cite" data-kb-placeholder="{html.escape(placeholder)}"'
        f' data-kb-date-format="{html.escape(str(ui.strings["date_format"]))}" data-kb-months="{html.escape(months)}">',
        f"<summary>{html.escape(ui('cite_title'))}</summary>",
        f"<p>{html.escape(ui('cite_intro'))}</p>",
        f'<p class="kb-cite-label">{html.escape(ui("cite_plain"))}</p>',
        f'<pre class="kb-cite-text"><code>{html.escape(text)}</code></pre>',
        '<p class="kb-cite-label">BibTeX</p>',
        f'<pre class="kb-cite-bibtex"><code>{html.escape(bibtex)}</code></pre>',
    ]
    if anchor_example:
        example = f"{info.url}#{anchor_example}"
        out.append(f'<p class="kb-small">{html.escape(ui("cite_anchor", example=example))}</p>')
    out += ["</details>", "</aside>"]
    return "\n".join(out) + "\n"


def added_fact(day: dt.date | None, ui: UI) -> str | None:
    """'**Added here:** date' for an article's header, when git knows when its seed was added."""
    return f"**{ui('added_here')}:** {ui.date(pubdate(day))}" if day else None


# --------------------------------------------------------------------------
# Head: description, link previews, hreflang, JSON-LD
# --------------------------------------------------------------------------


def event_dates(date: EventDate) -> dict[str, str]:
    """An event's schema.org startDate (and endDate), at the precision its source gives (ISO 8601)."""
    if date.precision == "day":
        return {"startDate": date.iso()}
    if date.precision == "month":
        return {"startDate": date.iso()}
    if date.precision == "quarter":
        first = date.quarter * 3 - 2
        return {"startDate": f"{date.year:04d}-{first:02d}", "endDate": f"{date.year:04d}-{first + 2:02d}"}
    if date.precision == "decade":
        return {"startDate": f"{date.year:04d}", "endDate": f"{date.year + 9:04d}"}
    return {"startDate": f"{date.year:04d}"}


def _website(info: PageInfo) -> dict:
    root = info.roots.get(info.lang)
    return {"@type": "WebSite", "name": info.site_name, **({"url": root} if root else {})}


def _article_url(info: PageInfo, slug: str, section: str | None = None) -> str:
    base = info.roots.get(info.lang, "")
    return f"{base}{ARTICLES}/{slug}/" + (f"#{section}" if section else "")


def _page_url(info: PageInfo, path: str) -> str:
    return info.roots.get(info.lang, "") + path


def structured_data(
    info: PageInfo, page_kind: str, site, description: str, changed: dt.date | None, dates: PageDates
) -> dict[str, object]:
    """The page's JSON-LD object."""
    lang, k, project = info.lang, site.knowledge, site.project
    ui = site.uis[lang]
    data: dict[str, object] = {"@context": SCHEMA}
    modified = {"dateModified": changed.isoformat()} if changed else {}
    name = info.src_uri.removesuffix(".md").split("/")
    if page_kind == "article":
        article = site.article_for(info.src_uri)
        m = article.meta
        data |= {
            "@type": "NewsArticle" if m.publisher else "BlogPosting",
            "headline": shorten(info.title, 110),
            "name": info.title,
            "description": description,
            "inLanguage": lang,
            "url": info.url,
            "mainEntityOfPage": info.url,
            "datePublished": m.published.iso(),
            **modified,
            "isPartOf": _website(info),
        }
        if m.url:
            data["isBasedOn"] = m.url
        if m.author:
            data["author"] = {"@type": "Person", "name": m.author}
        if m.publisher:
            data["publisher"] = {"@type": "Organization", "name": m.publisher}
        if m.tags:
            data["keywords"] = [k.topics[t].name[lang] for t in m.tags if t in k.topics]
        return data
    if page_kind == "entity":
        entity = k.entities[name[1]]
        other = [entity.name[o] for o in LANGS if o != lang]
        alternate = list(
            dict.fromkeys(a for a in [*other, *(a.form for a in entity.aliases)] if a != entity.name[lang])
        )
        return data | {
            "@type": ENTITY_TYPES.get(entity.type, "Thing"),
            "@id": f"{info.url}#{entity.id}",
            "name": entity.name[lang],
            **({"alternateName": alternate} if alternate else {}),
            "description": plain(asof.describe(entity, project, lang, ui)),
            "url": info.url,
            "mainEntityOfPage": {"@type": "WebPage", "url": info.url, "inLanguage": lang, **modified},
        }
    if page_kind == "glossary":
        terms = sorted(k.terms.values(), key=lambda t: t.id)
        return data | {
            "@type": "DefinedTermSet",
            "@id": info.url,
            "name": info.title,
            "description": description,
            "inLanguage": lang,
            "url": info.url,
            **modified,
            "hasDefinedTerm": [
                {
                    "@type": "DefinedTerm",
                    "@id": f"{info.url}#{t.id}",
                    "name": t.term[lang],
                    "termCode": t.id,
                    "description": plain(t.definition[lang]),
                    "url": f"{info.url}#{t.id}",
                    "inDefinedTermSet": info.url,
                    **(
                        {"alternateName": alt}
                        if (
                            alt := list(
                                dict.fromkeys(
                                    [*(t.term[o] for o in LANGS if o != lang), *(a.form for a in t.aliases[lang])]
                                )
                            )
                        )
                        else {}
                    ),
                }
                for t in terms
            ],
        }
    base = {"name": info.title, "description": description, "inLanguage": lang, "url": info.url, **modified}
    if page_kind == "timeline":
        events = dates.events_on(info.src_uri)
        return data | {
            "@type": "CollectionPage",
            **base,
            "isPartOf": _website(info),
            "mainEntity": {
                "@type": "ItemList",
                "numberOfItems": len(events),
                "itemListElement": [
                    {"@type": "ListItem", "position": n, "item": _event(e, info, project, ui)}
                    for n, e in enumerate(events, 1)
                ],
            },
        }
    if page_kind == "topic":
        topic = k.topics[name[1]]
        return data | {
            "@type": "CollectionPage",
            **base,
            "isPartOf": _website(info),
            "about": {"@type": "Thing", "name": topic.name[lang], "description": plain(topic.intro[lang])},
        }
    if page_kind == "home":
        return data | {"@type": "WebSite", **base, "name": info.site_name}
    return data | {"@type": "CollectionPage" if page_kind == "list" else "WebPage", **base, "isPartOf": _website(info)}


def _event(event, info: PageInfo, project, ui: UI) -> dict[str, object]:
    article = project.article(event.source.article)
    source = {"@type": "Article", "url": _article_url(info, event.source.article, event.source.section)}
    if article is not None:
        source["name"] = article.title(info.lang)
    return {
        "@type": "Event",
        "@id": f"{info.url}#{event.id}",
        "name": event.title[info.lang],
        "description": plain(asof.describe(event, project, info.lang, ui)),
        **event_dates(event.date),
        "url": f"{info.url}#{event.id}",
        "subjectOf": source,
    }


def json_ld(data: dict[str, object]) -> str:
    """A JSON-LD script element; '<', '>' and '&' escaped so no text can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def head(
    info: PageInfo,
    description: str,
    page_kind: str,
    uis: dict[str, UI],
    data: dict[str, object],
    published: str | None = None,
    changed: dt.date | None = None,
) -> str:
    """The tags a page adds to its head: link previews, hreflang links and JSON-LD."""
    ui = uis[info.lang]
    tags: list[tuple[str, str, str]] = [
        ("property", "og:type", "article" if page_kind == "article" else "website"),
        ("property", "og:title", info.title),
        ("property", "og:description", description),
        ("property", "og:url", info.url),
        ("property", "og:site_name", info.site_name),
        ("property", "og:locale", ui("og_locale")),
        *(("property", "og:locale:alternate", uis[o]("og_locale")) for o in LANGS if o != info.lang),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", info.title),
        ("name", "twitter:description", description),
    ]
    if published:
        tags.append(("property", "article:published_time", published))
    if changed and page_kind == "article":
        tags.append(("property", "article:modified_time", changed.isoformat()))
    out = [f'<meta {attr}="{name}" content="{html.escape(value)}">' for attr, name, value in tags]
    out += _hreflang(info)
    out.append(json_ld(data))
    return "\n".join(out)


def _hreflang(info: PageInfo) -> Iterable[str]:
    if not info.roots:
        return []
    links = [(lang, info.roots[lang] + info.page_path) for lang in LANGS]
    links.append(("x-default", info.roots[DEFAULT_LANG] + info.page_path))
    return [f'<link rel="{HREFLANG_REL}" hreflang="{lang}" href="{html.escape(url)}">' for lang, url in links]


# --------------------------------------------------------------------------
# The page as MkDocs has it
# --------------------------------------------------------------------------

CITED = {"article", "timeline", "topic", "entity", "glossary", "page"}  # the pages with a citation


def description_of(page_kind: str, src_uri: str, site, page_meta: dict, markdown: str, default: str) -> str:
    """A page's description: an article's summary, an entity's description, a topic's intro, a term list's
    intro, a person's page's ``description`` or first paragraph; the site's description for lists."""
    lang, ui, k = site.lang, site.ui, site.knowledge
    name = src_uri.removesuffix(".md").split("/")
    if page_kind == "article":
        text = site.article_for(src_uri).summary(lang)
    elif page_kind == "entity":
        text = asof.describe(k.entities[name[1]], site.project, lang, ui)
    elif page_kind == "topic":
        text = k.topics[name[1]].intro[lang]
    elif page_kind in {"timeline", "glossary"}:
        text = ui(f"{page_kind}_intro")
    elif page_kind in {"page", "home"}:
        text = str(page_meta.get("description") or "") or first_text(markdown)
    else:
        text = ""
    return shorten(plain(text)) if text else default


def finish_page(content: str, page, config, site, dates: PageDates) -> tuple[str, dt.date | None]:
    """Add the footer to a page's HTML, and put its head tags in ``page.meta['kb_head']`` (for
    overrides/main.html) and its description in ``page.meta['description']``; returns the HTML and
    the date it shows (for the sitemap)."""
    lang, src_uri = site.lang, page.file.src_uri
    article = site.article_for(src_uri)
    human = site.human_page(src_uri) is not None
    page_kind = kind(src_uri, article, human, site.knowledge)
    roots = dict(config.extra.get("kb_roots") or {})
    path = page.url
    info = PageInfo(
        src_uri=src_uri,
        url=page.canonical_url or "/" + path,
        title=str(page.title or config.site_name),
        lang=lang,
        site_name=str(config.site_name),
        roots=roots,
        page_path=path,
    )
    changed = dates.changed(src_uri, lang)
    description = description_of(
        page_kind, src_uri, site, page.meta, page.markdown or "", str(config.site_description or "")
    )
    page.meta["description"] = description
    data = structured_data(info, page_kind, site, description, changed, dates)
    published = article.meta.published.iso() if article else None
    page.meta["kb_head"] = head(info, description, page_kind, site.uis, data, published, changed)
    anchor = None
    if page_kind == "timeline" and (events := dates.events_on(src_uri)):
        anchor = events[0].id
    elif page_kind == "glossary" and site.knowledge.terms:
        anchor = min(site.knowledge.terms)
    return content + footer(info, changed, site.ui, anchor, cite=page_kind in CITED), changed


_URL_BLOCK = re.compile(r"<url>(.*?)</url>", re.S)


def sitemap_lastmod(text: str, shown: dict[str, dt.date | None]) -> str:
    """sitemap.xml with each page's ``lastmod`` the date the page shows (none where it shows none)."""

    def one(match: re.Match[str]) -> str:
        block = match.group(1)
        loc = re.search(r"<loc>([^<]+)</loc>", block)
        if loc is None or html.unescape(loc.group(1)) not in shown:
            return match.group(0)
        day = shown[html.unescape(loc.group(1))]
        block = re.sub(r"\s*<lastmod>[^<]*</lastmod>", "", block)
        if day is not None:
            block = block.replace(loc.group(0), f"{loc.group(0)}\n         <lastmod>{day.isoformat()}</lastmod>", 1)
        return f"<url>{block}</url>"

    return _URL_BLOCK.sub(one, text)
