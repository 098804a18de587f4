"""The ``kb`` command: build, check and preview the knowledge base.

Run ``kb <command> --help`` for each command's options.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from kb.errors import ContentError, Problem


def _root(start: Path) -> Path:
    """The project root: the nearest folder upward holding mkdocs.yml."""
    for folder in (start, *start.parents):
        if (folder / "mkdocs.yml").exists() and (folder / "seeds").is_dir():
            return folder
    raise ContentError(
        Problem(str(start), "is not inside the knowledge base", expected="a folder with mkdocs.yml and seeds/")
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Validate seeds, metadata, pages, data and translations; write nothing.

    Prints one line per problem as ``path:line: field: what is wrong; what is
    expected``. Stale translations are warnings. Exit status 1 on any error.
    """
    from kb.check import check

    problems = check(_root(args.root))
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    print(f"kb check: {len(errors)} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


class _Stopped(Exception):
    """kb check found errors: the build stops before anything is kept."""

    def __init__(self, problems: list) -> None:
        super().__init__(f"{len(problems)} error(s)")
        self.problems = problems


def cmd_build(args: argparse.Namespace) -> int:
    """Check everything, then build both languages: Vietnamese into site/, English into site/en/.

    The site is built into a temporary folder and swapped into place only
    when both strict builds succeed.
    """
    from kb.check import check
    from kb.content.project import Paths
    from kb.site.build import BuildFailed, build_site

    root = _root(args.root)

    def checked() -> None:  # runs while the other language starts building (kb.site.build)
        if problems := [p for p in check(root) if not p.warning]:
            raise _Stopped(problems)

    try:
        out = build_site(
            Paths(root), Path(args.site_dir) if args.site_dir else None, verbose=args.verbose, first=checked
        )
    except _Stopped as stopped:
        for problem in stopped.problems:
            print(problem)
        print(f"kb build: stopped, {len(stopped.problems)} error(s); nothing was written", file=sys.stderr)
        return 1
    except BuildFailed as exc:
        print(f"kb build: {exc}; nothing was written", file=sys.stderr)
        return 1
    print(f"kb build: built {out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview both languages at http://127.0.0.1:8000/ (English under /en/), rebuilding on edits.

    After an edit to docs/, seeds/ or data/, only the pages it changed are
    rendered again and the browser reloads; the search index follows in the
    background. Edits to overrides/ or the mkdocs configs, and added or removed
    pages, rebuild the language fully. Edits to the Python code need a restart.
    """
    from kb.content.project import Paths
    from kb.site.build import serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s - %(message)s")
    serve(Paths(_root(args.root)), host=args.host, port=args.port)
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Print the clean Markdown page the build makes from one seed (for review)."""
    from kb.content.project import load_project

    project = load_project(_root(args.root))
    name = Path(args.seed).stem
    for article in project.articles:
        if name in {article.seed.stem, article.slug}:
            sys.stdout.write(article.page())
            return 0
    for problem in project.errors:
        print(problem)
    print(f"kb convert: no article for {args.seed!r}", file=sys.stderr)
    return 1


def cmd_bench(args: argparse.Namespace) -> int:
    """Build synthetic knowledge bases of N articles in both languages and print timings and sizes.

    Generates each corpus locally (no network), builds it with and without
    the kb generation step, and prints a table: generation and MkDocs times,
    peak memory, site, search-index and page sizes, and a serve-style
    rebuild. --out also writes it with the date and the machine.
    """
    from kb.bench import report

    return report.run_from_args(args)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def cmd_new(args: argparse.Namespace) -> int:
    """Start an article, a translation, an event, an entity or a glossary term.

    Writes a valid file (or appends one valid item to a data file) with the
    required fields and short guidance, in the right place. Facts come from
    the options or from the capture itself, never guessed. Nothing is written
    when something is wrong, and an existing file or id is never overwritten.

      kb new article CAPTURE.txt --title-en "..." [--published 2025-03-25]
      kb new article --title-vi "..." --title-en "..." --published 2025-03-25
      kb new translation rewind-ai-2024        (or about.md)
      kb new event --date 2025-01 --title-vi ... --source SLUG#SECTION ...
      kb new entity --type model --name-en ... --description-vi ... ...
      kb new term --term-vi ... --term-en ... --definition-vi ... ...
    """
    from kb import scaffold

    root = _root(args.root)
    o = {k: v for k, v in vars(args).items() if k not in {"root", "func", "kind", "command"}}
    if args.kind == "article":
        written = scaffold.new_article(
            root,
            Path(args.capture) if args.capture else None,
            title_vi=args.title_vi,
            title_en=args.title_en,
            published=args.published,
            slug=args.slug,
            fmt=args.format,
            author=args.author,
            publisher=args.publisher,
            url=args.url,
            tags=args.tags,
            say=print,
        )
        for path in written:
            print(f"kb new: wrote {path.relative_to(root).as_posix()}")
        slug = Path(written[1]).stem
        print(f"next: review it with `kb convert {slug}`, then `kb new translation` for its English page")
        return 0
    if args.kind == "translation":
        for path in scaffold.new_translation(root, args.page, lang=args.lang):
            print(
                f"kb new: wrote {path.relative_to(root).as_posix()} (a draft: translate it, then remove `draft: true`)"
            )
        return 0
    adders = {"event": scaffold.new_event, "entity": scaffold.new_entity, "term": scaffold.new_term}
    path, line = adders[args.kind](root, **o)
    print(f"kb new: added the {args.kind} at {path.relative_to(root).as_posix()}:{line}; run `kb check`")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    """Propose events, entities and glossary terms found in an article, as a draft to edit and accept.

    kb suggest SLUG                 write the draft to suggestions/SLUG.yml (never over a file)
    kb suggest SLUG --out -         print it instead (or --out FILE)
    kb suggest --accept FILE        add the items marked `accept: true`, checked as kb new checks
                                    them; nothing is written if any is wrong
    kb suggest --measure            how many dated events of data/events.yml it finds again
    """
    from kb import accept
    from kb.content.project import load_project
    from kb.errors import rel
    from kb.knowledge import recall, suggest
    from kb.knowledge.facts import load_knowledge

    root = _root(args.root)
    if args.accept:
        draft = Path(args.accept)
        if not draft.is_absolute() and not draft.exists():  # a path from the project's root
            draft = root / draft
        written = accept.accept(root, draft, rel(draft, root) if Path(args.accept).is_absolute() else args.accept)
        for item_id, path, line in written:
            print(f"kb suggest: added {item_id} at {path.relative_to(root).as_posix()}:{line}")
        print("next: run `kb check`; the draft can be deleted")
        return 0
    project = load_project(root)
    project.raise_errors()
    k = load_knowledge(project)
    if k.problems:
        raise ContentError(k.problems)
    if args.measure:
        print(recall.measure(k, project).report())
        return 0
    if not args.slug:
        raise ContentError(Problem("kb suggest", "no article given", expected="an article slug, --accept or --measure"))
    article = project.article(Path(args.slug).stem)
    if article is None:
        raise ContentError(
            Problem(
                args.slug,
                "is not an article",
                expected="an article slug: " + ", ".join(a.slug for a in project.articles),
            )
        )
    found = suggest.suggest(k, article, project.articles)
    out = args.out or f"suggestions/{article.slug}.yml"
    text = suggest.render_draft(found, out if out != "-" else f"suggestions/{article.slug}.yml")
    if out == "-":
        sys.stdout.write(text)
        return 0
    from kb.content.project import Paths
    from kb.scaffold import _write_new

    path = Path(out) if Path(out).is_absolute() else root / out
    _write_new(path, text, Paths(root))
    counts = f"{len(found.events)} event(s), {len(found.entities)} entity(ies), {len(found.terms)} term(s)"
    print(f"kb suggest: wrote {rel(path, root)}: {counts}")
    print(f"next: mark the items to keep with `accept: true`, fill in both languages, then `kb suggest --accept {out}`")
    return 0


def _add_new(sub: argparse._SubParsersAction, add) -> None:
    new = add("new", cmd_new)
    kinds = new.add_subparsers(dest="kind", required=True, metavar="KIND")

    def kind(name: str, help_: str) -> argparse.ArgumentParser:
        return kinds.add_parser(name, help=help_, description=help_)

    a = kind("article", "a seed and its metadata, from a raw capture or from scratch")
    a.add_argument("capture", nargs="?", help="the raw capture's file (omit to write a new article in Markdown)")
    a.add_argument("--title-vi", help="the title as the source prints it (read from the capture when it says)")
    a.add_argument("--title-en", help="the title in English")
    a.add_argument("--published", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM+07:00 (read from the capture when it says)")
    a.add_argument("--slug", help="the page address (default: from the Vietnamese title)")
    a.add_argument(
        "--format", choices=["html", "scraped-page", "markdown", "pdf-text"], help="default: detected (it says why)"
    )
    a.add_argument("--author")
    a.add_argument("--publisher")
    a.add_argument("--url")
    a.add_argument("--tags", type=_csv, help="topic ids, comma-separated")

    t = kind("translation", "a draft translation of an article or a page, with the original's blocks to translate")
    t.add_argument("page", help="an article slug, or a page such as about.md")
    t.add_argument("--lang", default="en", help="the translation's language (default: en)")

    e = kind("event", "a dated event in data/events.yml, with its source")
    e.add_argument("--id", help="default: the year and the English title")
    e.add_argument(
        "--date", required=True, help="2025-01-20, 2025-01, 2025-Q1, 2025 or 1960s: as precise as the source"
    )
    for field in ("title", "description"):
        for lang in ("vi", "en"):
            e.add_argument(f"--{field}-{lang}", required=True)
    e.add_argument("--entities", type=_csv, required=True, help="entity ids, comma-separated")
    e.add_argument("--topics", type=_csv, required=True, help="topic ids, comma-separated")
    e.add_argument("--source", required=True, help="ARTICLE-SLUG#section-anchor that reports the event")

    from kb.knowledge.facts import ENTITY_TYPES

    n = kind("entity", "an organisation, person, model, method, benchmark… in data/entities.yml")
    n.add_argument("--id", help="default: from the English name")
    n.add_argument("--type", required=True, choices=ENTITY_TYPES)
    n.add_argument("--term", help="the id of the glossary term that is the same thing (data/glossary.yml)")
    n.add_argument("--name-en", required=True)
    n.add_argument("--name-vi", help="default: the English name")
    n.add_argument("--alias", dest="aliases", action="append", help="an exact form used in articles (repeatable)")
    n.add_argument("--description-vi", required=True)
    n.add_argument("--description-en", required=True)
    n.add_argument("--topics", type=_csv, help="topic ids, comma-separated")

    g = kind("term", "a glossary term in data/glossary.yml")
    g.add_argument("--id", help="default: from the English term")
    g.add_argument("--term-vi", required=True)
    g.add_argument("--term-en", required=True)
    g.add_argument("--definition-vi", required=True)
    g.add_argument("--definition-en", required=True)
    g.add_argument("--alias-vi", dest="aliases_vi", action="append", help="another Vietnamese form (repeatable)")
    g.add_argument("--alias-en", dest="aliases_en", action="append", help="another English form (repeatable)")
    g.add_argument("--source", help="ARTICLE-SLUG#section-anchor where the term is used")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: here)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, **kwargs) -> argparse.ArgumentParser:
        doc = func.__doc__ or ""
        p = sub.add_parser(
            name,
            help=doc.splitlines()[0],
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )
        p.set_defaults(func=func)
        return p

    add("check", cmd_check)
    b = add("build", cmd_build)
    b.add_argument("--site-dir", help="output folder (default: site/)")
    b.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    s = add("serve", cmd_serve)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    c = add("convert", cmd_convert)
    c.add_argument("seed", help="seed file name or article slug")
    _add_new(sub, add)
    g = add("suggest", cmd_suggest)
    g.add_argument("slug", nargs="?", help="the article to read (its slug)")
    g.add_argument("--out", help="where to write the draft (default: suggestions/SLUG.yml; '-' prints it)")
    g.add_argument("--accept", metavar="DRAFT", help="add the accepted items of a draft to data/")
    g.add_argument("--measure", action="store_true", help="how many dated events the suggestions find again")
    from kb.bench.report import add_arguments as bench_arguments

    bench_arguments(add("bench", cmd_bench))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
