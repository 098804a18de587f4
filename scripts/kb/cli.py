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


def cmd_build(args: argparse.Namespace) -> int:
    """Check everything, then build both languages: Vietnamese into site/, English into site/en/.

    The site is built into a temporary folder and swapped into place only
    when both strict builds succeed.
    """
    from kb.build import BuildFailed, build_site
    from kb.check import check
    from kb.project import Paths

    root = _root(args.root)
    problems = [p for p in check(root) if not p.warning]
    if problems:
        for problem in problems:
            print(problem)
        print(f"kb build: stopped, {len(problems)} error(s); nothing was written", file=sys.stderr)
        return 1
    try:
        out = build_site(Paths(root), Path(args.site_dir) if args.site_dir else None, verbose=args.verbose)
    except BuildFailed as exc:
        print(f"kb build: {exc}; nothing was written", file=sys.stderr)
        return 1
    print(f"kb build: built {out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview both languages at http://127.0.0.1:8000/ (English under /en/), rebuilding on edits.

    Edits to docs/, seeds/, data/, overrides/ and the mkdocs configs rebuild
    the site and reload the browser. Edits to the Python code need a restart.
    """
    from kb.build import serve
    from kb.project import Paths

    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s - %(message)s")
    serve(Paths(_root(args.root)), host=args.host, port=args.port)
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Print the clean Markdown page the build makes from one seed (for review)."""
    from kb.project import load_project

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
