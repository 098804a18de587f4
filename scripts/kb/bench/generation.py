"""Our generation step, timed alone, and materialised as the floor that MkDocs builds without the hook."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from time import perf_counter

from kb.bench.corpus import write_text_file
from kb.content.project import Paths
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.search import pagefind
from kb.site import article_pages, feeds, hook, pages

# --------------------------------------------------------------------------
# Our generation step, timed and materialised
# --------------------------------------------------------------------------


def page_url(src_uri: str) -> str:
    """The page URL MkDocs gives a Markdown file with directory URLs ('' for the home page)."""
    from mkdocs.structure.files import File

    url = File(src_uri, None, "/", True).url
    return "" if url in (".", "./") else url


def _split_page(text: str) -> tuple[str, str]:
    """(front-matter text, the Markdown MkDocs hands to on_page_markdown)."""
    from mkdocs.utils.meta import get_data

    markdown, _ = get_data(text)
    if not text.endswith(markdown):
        return "", markdown
    return text[: len(text) - len(markdown)], markdown


def language_pages(site: pages.Site) -> Iterator[tuple[str, str]]:
    """Every Markdown page of one language's build: generated, then the person's, as (src_uri, text)."""
    yield from site.pages.items()
    docs = site.project.paths.lang_docs(site.lang)
    for src_uri in sorted(pages.human_pages(docs)):
        yield src_uri, (docs / src_uri).read_text(encoding="utf-8-sig")


def page_inputs(site: pages.Site) -> Iterator[tuple[str, str, str, str]]:
    """Each page as MkDocs hands it to on_page_markdown: (src_uri, front-matter text, Markdown, page URL)."""
    for src_uri, text in language_pages(site):
        front, markdown = _split_page(text)
        yield src_uri, front, markdown, page_url(src_uri)


def decorated_pages(site: pages.Site) -> Iterator[tuple[str, str]]:
    """Each page with our on_page_markdown work done, front-matter kept: (src_uri, text)."""
    for src_uri, front, markdown, url in page_inputs(site):
        yield src_uri, front + pages.decorate(markdown, src_uri, url, site)


GENERATION_TIMINGS = 3  # one in-process timing of the same corpus varies by up to a fifth here


def time_generation(root: Path, timings: int = GENERATION_TIMINGS) -> dict[str, float]:
    """Seconds per language of our generation step, as a build does it: load_site, then decorate every page.

    The project is loaded anew, as in a fresh build (not reused from an earlier ``kb check``);
    English reuses it, as ``kb build``'s second language does. What MkDocs does in
    any build, the floor's too (reading the pages, splitting off their front-matter,
    making their URLs), is left out of the time. The step is timed ``timings`` times
    and the timing with the median total is returned, so both languages come from one run.
    """
    runs = sorted((_time_generation_once(root) for _ in range(timings)), key=lambda run: sum(run.values()))
    return runs[(len(runs) - 1) // 2]


def _time_generation_once(root: Path) -> dict[str, float]:
    from kb.content import project

    project.forget_loaded()
    result = {}
    for lang in LANGS:
        start = perf_counter()
        site = pages.load_site(root, lang)
        spent = perf_counter() - start
        for src_uri, _, markdown, url in page_inputs(site):
            start = perf_counter()
            pages.decorate(markdown, src_uri, url, site)
            spent += perf_counter() - start
        result[lang] = spent
    return result


def _drop_keys(config: str, keys: Sequence[str]) -> str:
    """A config's text without the named top-level keys and their indented values."""
    out, skipping = [], False
    for line in config.splitlines(keepends=True):
        if re.match(r"^\S", line):
            skipping = any(re.match(rf"^{key}\s*:", line) for key in keys)
        if not skipping:
            out.append(line)
    return "".join(out)


def _floor_config(source: Path, lang: str, site_url: str | None, extra: dict[str, object]) -> str:
    """One language's config without our hook, reading the materialised docs.

    What the hook puts in the config for the templates (the site URL of
    English, ``extra``'s search dialog and language roots) is written in,
    so the floor renders the same page templates.
    """
    text = _drop_keys(source.read_text(encoding="utf-8"), ("hooks", "watch"))
    text = re.sub(r"(?m)^docs_dir:.*$", f"docs_dir: docs/{lang}", text)
    values = "".join(f"  {key}: {json.dumps(value, sort_keys=True)}\n" for key, value in sorted(extra.items()))
    text, found = re.subn(r"(?m)^extra:[ \t]*\n", lambda m: m.group(0) + values, text, count=1)
    if not found:
        text += f"\nextra:\n{values}"
    header = "# The benchmark's floor: generated Markdown built by plain MkDocs, without the kb hook.\n"
    if (url := article_pages.language_url(site_url, lang)) != site_url:
        text += f'\nsite_url: "{url}"  # what the hook sets\n'
    return header + text


def materialize(root: Path, out: Path) -> None:
    """Write each language's generated, decorated Markdown and hook-free configs into ``out``."""
    from mkdocs.utils.yaml import yaml_load

    paths = Paths(root)
    with paths.config(DEFAULT_LANG).open(encoding="utf-8") as stream:
        site_url = yaml_load(stream).get("site_url")
    extras = {}
    for lang in LANGS:
        site = pages.load_site(root, lang)
        extras[lang] = hook.template_extra(
            lang, article_pages.language_url(site_url, lang), site.ui, bool(pagefind.archived(site.project.articles))
        )
        docs = out / "docs" / lang
        for src_uri, text in decorated_pages(site):
            write_text_file(docs / src_uri, text)
        with paths.config(lang).open(encoding="utf-8") as stream:
            site_name = str(yaml_load(stream).get("site_name") or "")
        # The downloads and feeds, which the hook adds in on_files, as files of the floor's docs.
        written = feeds.site_files(site, article_pages.language_url(site_url, lang), site_name)
        for src_uri, data in [*site.static.items(), *written.items()]:
            (docs / src_uri).parent.mkdir(parents=True, exist_ok=True)
            (docs / src_uri).write_bytes(data)
        source_docs = paths.lang_docs(lang)
        for other in sorted(source_docs.rglob("*")):
            if other.is_file() and other.suffix != ".md":
                target = docs / other.relative_to(source_docs)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(other, target)
    if (root / "overrides").is_dir():
        shutil.copytree(root / "overrides", out / "overrides", dirs_exist_ok=True)
    for lang in LANGS:
        write_text_file(Paths(out).config(lang), _floor_config(paths.config(lang), lang, site_url, extras[lang]))
