"""kb serve's incremental preview: what it rewrites after an edit is what a full build makes, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.content.project import Paths
from kb.errors import ContentError, Problem
from kb.site import build, language_process, preview
from kb.site.build import build_site
from tests.conftest import replace_in

URL = "http://127.0.0.1:8000/"


def differences(one: Path, other: Path) -> list[str]:
    """Files that differ between two site folders, or are in only one of them."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).as_posix().startswith(".")
        }

    a, b = files(one), files(other)
    return sorted(
        [f"changed {k}" for k in a.keys() & b.keys() if a[k] != b[k]]
        + [f"only in the preview {k}" for k in a.keys() - b.keys()]
        + [f"only in the full build {k}" for k in b.keys() - a.keys()]
    )


TRANSLATION = "docs/en/articles/rewind-ai-2024.md"
ARTICLE = "articles/tri-tue-nhan-tao-tao-sinh/index.html"
ARTICLES_DOWNLOADS = ("downloads/articles.csv", "downloads/articles.json")
# what an event's edit changes besides its pages: its downloads, the calendar and the events' feeds
EVENTS_FILES = (
    "downloads/events.csv",
    "downloads/events.json",
    "downloads/timeline.ics",
    "feeds/events.json",
    "feeds/events.xml",
)
# A glossary edit renders every page again: its terms are linked in articles and are search words everywhere.
EVERY_PAGE = {"vi": None, "en": None}


class AtLeast(frozenset):
    """Files an edit rewrites among others (the comparison with a full build checks the rest)."""


# Each edit in turn on one project copy; after each, the preview is updated and compared with a full build.
# (name, edit, languages expected to be built fully, the files rewritten: lang -> site paths, exactly;
# a language not named rewrites nothing)
EDITS = [
    (
        "a translation's title",
        replace_in(TRANSLATION, "Rewind AI 2024: The year", "Rewind AI 2024: the year"),
        set(),
        {"en": {"articles/rewind-ai-2024/index.html"}},
    ),
    (
        "a translation's date",
        replace_in(TRANSLATION, "translated: 2026-11-23", "translated: 2026-11-24"),
        set(),
        # Without git, the date is the newest date of every English page that shows the article (its
        # entities' and topics' pages, the lists...): at least the page itself and the sitemap's dates.
        {
            "vi": {"translations/index.html"},
            "en": AtLeast({"articles/rewind-ai-2024/index.html", "translations/index.html", "sitemap.xml"}),
        },
    ),
    (
        "an article's seed",
        replace_in(
            "seeds/002_24797b54feca2600.txt",
            "Các mô hình GenAI khác với",
            "Các mô hình GenAI (tạo sinh) khác với",
        ),
        set(),
        {
            "vi": {ARTICLE, "seeds/002_24797b54feca2600.txt", "translations/index.html"},
            # the English translation is now stale: the articles' downloads give its state
            "en": {ARTICLE, "seeds/002_24797b54feca2600.txt", "translations/index.html", *ARTICLES_DOWNLOADS},
        },
    ),
    (
        "a page a person wrote",
        replace_in("docs/vi/about.md", "## Kho kiến thức này là gì", "## Kho kiến thức này là gì?"),
        set(),
        # the English about page is now a stale translation: it gains the banner, and the status page says so
        {lang: {"about/index.html", "translations/index.html"} for lang in ("vi", "en")},
    ),
    (
        "an event",
        replace_in("data/events.yml", "cho thấy ý tưởng để máy móc", "cho thấy rằng ý tưởng để máy móc"),
        set(),
        {
            "vi": {
                "entities/eliza/index.html",
                "timeline/index.html",
                "topics/generative-ai/index.html",
                *EVENTS_FILES,
            }
        },
    ),
    (
        "an entity",
        replace_in("data/entities.yml", "US AI company behind ChatGPT", "A US AI company behind ChatGPT"),
        set(),
        {
            "en": {
                "entities/index.html",
                "entities/openai/index.html",
                "downloads/entities.csv",
                "downloads/entities.json",
            }
        },
    ),
    (
        "a topic",
        replace_in("data/topics.yml", "This topic gathers its history", "This topic gathers the history"),
        set(),
        {"en": {"topics/generative-ai/index.html", "downloads/topics.csv", "downloads/topics.json"}},
    ),
    (
        "a glossary term",
        replace_in("data/glossary.yml", "Often contrasted with generative AI.", "Often set against generative AI."),
        set(),
        EVERY_PAGE,
    ),
    (
        "an interface string",
        replace_in("data/ui.yml", "newest first, by year of publication.", "the newest first, by year."),
        set(),
        {"en": {"articles/index.html"}},
    ),
    # A data edit loads no seed or translation again (kb.content.project.load_project_cached) and parses
    # only the items whose text changed (kb.knowledge.facts): what they show must still be all there.
    (
        "an event's cited article",
        replace_in(
            "data/events.yml",
            "source: {article: tuong-lai-ai-khong-nam-trong-tay-google-hay-openai}\n",
            "source: {article: rewind-ai-2024}\n",
        ),
        set(),
        # both articles list their events; the timeline and the pages showing the event link its source
        {
            lang: AtLeast(
                {
                    "articles/tuong-lai-ai-khong-nam-trong-tay-google-hay-openai/index.html",
                    "articles/rewind-ai-2024/index.html",
                    "timeline/index.html",
                    "entities/google/index.html",
                    "topics/open-models/index.html",
                }
            )
            for lang in ("vi", "en")
        },
    ),
    (
        "an entity's alias",
        replace_in("data/entities.yml", 'aliases: ["ELIZA"]', 'aliases: ["ELIZA", "Nobel"]'),
        set(),
        # the article naming the Nobel prize now mentions ELIZA: its page and ELIZA's list it
        {lang: AtLeast({"articles/rewind-ai-2024/index.html", "entities/eliza/index.html"}) for lang in ("vi", "en")},
    ),
    (
        "an event removed",
        replace_in(
            "data/events.yml",
            "- id: 2015-openai-founded-non-profit\n"
            '  date: "2015"\n'
            '  title: {vi: "OpenAI thành lập dưới dạng tổ chức phi lợi nhuận", en: "OpenAI is founded as a non-profit"}\n'
            "  description:\n"
            '    vi: "OpenAI khởi đầu là một tổ chức phi lợi nhuận vào năm 2015."\n'
            '    en: "OpenAI starts out as a non-profit organisation in 2015."\n'
            "  entities: [openai]\n"
            "  topics: [business-investment]\n"
            "  source: {article: trung-quoc-thuc-day-ma-nguon-mo, section: cuoc-chien-my-trung}\n\n",
            "",
        ),
        set(),
        {
            lang: AtLeast(
                {
                    "articles/trung-quoc-thuc-day-ma-nguon-mo/index.html",
                    "timeline/index.html",
                    "entities/openai/index.html",
                    "topics/business-investment/index.html",
                    *EVENTS_FILES,
                }
            )
            for lang in ("vi", "en")
        },
    ),
    (
        "two data files at once",
        lambda root: [
            replace_in("data/events.yml", "The Transformer architecture is introduced", "Transformers are introduced")(
                root
            ),
            replace_in("data/topics.yml", "the gap between open and", "the distance between open and")(root),
        ],
        set(),
        {
            "en": AtLeast(
                {
                    "timeline/index.html",
                    "topics/open-models/index.html",
                    "downloads/topics.csv",
                    *EVENTS_FILES,
                }
            )
        },
    ),
    (
        "an event's edit undone",
        replace_in("data/events.yml", "Transformers are introduced", "The Transformer architecture is introduced"),
        set(),
        {"en": AtLeast({"timeline/index.html", *EVENTS_FILES})},
    ),
    (
        "a new page",
        lambda root: (root / "docs/vi/moi.md").write_text("# Trang mới\n\nMột trang mới.\n", encoding="utf-8"),
        {"vi", "en"},
        {},
    ),
]


@pytest.fixture(scope="module")
def previewed(tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest import copy_project

    base = tmp_path_factory.mktemp("preview")
    root = copy_project(base / "kb")
    site = base / "serve"
    site.mkdir()
    with preview.preview(Paths(root), site, URL) as view:
        yield root, site, view


def test_the_first_preview_is_the_full_build(previewed, tmp_path: Path) -> None:
    root, site, _ = previewed
    assert differences(site, build_site(Paths(root), tmp_path / "site", site_url=URL)) == []


@pytest.mark.parametrize(("name", "edit", "full", "rewritten"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_rewrites_its_pages_as_a_full_build_does(previewed, tmp_path, name, edit, full, rewritten) -> None:
    root, site, view = previewed
    edit(root)
    done = {r.lang: r for r in view.update()}
    assert view.search.wait(120), "the search index was not rebuilt"
    assert {lang for lang, r in done.items() if r.full} == full
    for lang, r in done.items():
        if r.full:
            continue
        written, expected = set(r.written), rewritten.get(lang, set())
        if expected is None:  # every page
            assert len([w for w in written if w.endswith(".html")]) == view.ask(lang, "pages_known") > 100
        elif isinstance(expected, AtLeast):
            assert written >= expected, f"{lang}: rewrote {sorted(written)}"
        else:
            assert written == expected, f"{lang}: rewrote {sorted(written)}"
    assert differences(site, build_site(Paths(root), tmp_path / "site", site_url=URL)) == []


TEXT_EDITS = [
    # (name, edit, whether only the page is rendered, without loading the project again)
    (
        "a translation's text",
        replace_in(TRANSLATION, "with a series of breakthrough products", "with a run of breakthrough products"),
        True,
    ),
    (
        # the page now mentions Baidu: its entity page lists the article, found by a full update
        "a translation's text naming another entity",
        replace_in(TRANSLATION, "with a run of breakthrough products", "with a run of products (as did Baidu)"),
        False,
    ),
    (
        "a translation's first paragraph, its summary in the lists",
        replace_in(TRANSLATION, "2024 saw the explosion of generative AI", "2024 saw generative AI explode"),
        False,
    ),
]


@pytest.mark.parametrize(("name", "edit", "text_only"), TEXT_EDITS, ids=[e[0] for e in TEXT_EDITS])
def test_a_translations_text_renders_only_its_page_when_nothing_else_shows_it(
    previewed, tmp_path, name, edit, text_only
) -> None:
    root, site, view = previewed
    edit(root)
    done = {r.lang: r for r in view.update()}
    assert view.search.wait(120), "the search index was not rebuilt"
    assert not any(r.full for r in done.values())
    assert (done["en"].reason == preview.TEXT_ONLY) is text_only
    if text_only:
        assert (done["vi"].written, done["en"].written) == ([], ["articles/rewind-ai-2024/index.html"])
        # the project kept has the new text: a data edit next does not load it again
        assert view.ask("vi", "project_kept") and view.ask("en", "project_kept")
    else:
        assert "articles/rewind-ai-2024/index.html" in done["en"].written
        assert len(done["en"].written) > 1
    assert differences(site, build_site(Paths(root), tmp_path / "site", site_url=URL)) == []


def test_an_unchanged_tree_rewrites_nothing(previewed) -> None:
    _, site, view = previewed
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    done = view.update()
    assert [(r.full, r.written) for r in done] == [(False, [])] * 2
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*.html")} == before


def test_a_broken_edit_is_reported_and_the_site_kept(previewed) -> None:
    from kb.errors import ContentError

    root, site, view = previewed
    events = root / "data/events.yml"
    good = events.read_text(encoding="utf-8")
    events.write_text(good.replace("source: {article: tri-tue-nhan-tao-tao-sinh,", "source: {article: nowhere,", 1))
    try:
        with pytest.raises(ContentError, match="nowhere"):
            view.update()
        assert (site / "timeline/index.html").exists()
    finally:
        events.write_text(good, encoding="utf-8")
    done = view.update()
    assert done[0].full and done[0].reason == "the last rebuild failed"


@pytest.mark.skipif(not build.parallel(), reason="one core: the languages are previewed in this process")
def test_each_language_is_previewed_by_a_process_of_its_own(previewed) -> None:
    _, _, view = previewed
    processes = {x.lang: x._process for x in view.languages}
    assert set(processes) == {"vi", "en"} and all(isinstance(x, language_process.InChild) for x in view.languages)
    assert all(p.poll() is None for p in processes.values())
    assert len({p.pid for p in processes.values()} | {os.getpid()}) == 3


def test_a_language_whose_process_ended_is_reported_by_name(previewed) -> None:
    """The last test of the module's preview: it stops the English pages' process."""
    root, _, view = previewed
    if not build.parallel():
        pytest.skip("one core: the languages are previewed in this process")
    english = next(x for x in view.languages if x.lang == "en")
    english._process.kill()
    english._process.wait()
    topics = root / "data/topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8") + "# an edit\n", encoding="utf-8")
    with pytest.raises(build.BuildFailed, match=r"'en' pages stopped .*start kb serve again"):
        view.update()


def test_previewed_in_this_process_the_pages_are_the_same(project, tmp_path, monkeypatch) -> None:
    """One core (or KB_PARALLEL=0): both languages in this process, one after the other."""
    monkeypatch.setenv(build.PARALLEL_ENV, "0")
    site = tmp_path / "serve"
    with preview.preview(Paths(project), site, URL) as view:
        assert all(isinstance(x, language_process.Here) for x in view.languages)
        replace_in("data/events.yml", "cho thấy ý tưởng để máy móc", "cho thấy rằng ý tưởng để máy móc")(project)
        done = view.update()
        assert [(r.lang, r.full) for r in done] == [("vi", False), ("en", False)]
        assert "timeline/index.html" in done[0].written
        assert view.search.wait(120)
    # built once the preview is closed, so nothing it kept in this process is used
    assert differences(site, build_site(Paths(project), tmp_path / "site", site_url=URL)) == []


def test_lists_of_articles_on_pages_of_their_own_are_kept_while_their_articles_are(tmp_path, monkeypatch) -> None:
    """Past the lists' limits (a synthetic corpus, the limits lowered, in this process where they are):
    an event's edit keeps the entities' and topics' lists of articles; an interface string's makes them
    again in its language; each time the pages are what a full build makes."""
    import shutil

    import yaml

    from kb.bench.corpus import make_corpus
    from kb.bench.measure import _edit_event
    from kb.site import knowledge_pages, paging
    from tests.conftest import ROOT

    root = tmp_path / "kb"
    make_corpus(root, 24, source_root=ROOT)
    limits = paging.Limits(articles=6, timeline=10, events_per_page=5, listed=3, entities=10, rows=9, sources=4)
    monkeypatch.setattr(paging, "LIMITS", limits)
    monkeypatch.setenv(build.PARALLEL_ENV, "0")
    events, ui = root / "data/events.yml", root / "data/ui.yml"
    site, copies = tmp_path / "serve", {}
    with preview.preview(Paths(root), site, URL) as view:
        first, after = dict(knowledge_pages.LISTS), dict(knowledge_pages.AFTER_ARTICLES)
        assert any(base.startswith("entities/") for _, base in first) and any(b.startswith("topics/") for _, b in first)
        events.write_text(_edit_event(events.read_text(encoding="utf-8")), encoding="utf-8")
        assert not any(r.full for r in view.update())
        assert all(knowledge_pages.LISTS[key][3] is first[key][3] for key in first)  # kept, not made again
        # what follows an article is made again for the article citing the edited event alone
        cited = yaml.safe_load(events.read_text(encoding="utf-8"))[0]["source"]["article"]
        again = {key for key in after if knowledge_pages.AFTER_ARTICLES[key][2] is not after[key][2]}
        assert again == {("vi", cited), ("en", cited)}
        assert view.search.wait(120)
        copies["event"] = shutil.copytree(site, tmp_path / "after-event")
        ui.write_text(ui.read_text(encoding="utf-8").replace("pager_next: ", "pager_next: »", 1), encoding="utf-8")
        assert not any(r.full for r in view.update())
        # made again in Vietnamese, whose strings changed; kept in English
        assert all((knowledge_pages.LISTS[key][3] is first[key][3]) == (key[0] == "en") for key in first)
        assert view.search.wait(120)
    assert knowledge_pages.LISTS is None
    assert differences(site, build_site(Paths(root), tmp_path / "site", site_url=URL)) == []
    ui.write_text(ui.read_text(encoding="utf-8").replace("pager_next: »", "pager_next: ", 1), encoding="utf-8")
    assert differences(copies["event"], build_site(Paths(root), tmp_path / "site-event", site_url=URL)) == []


class _Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.handle = lambda: None  # a lambda is not picklable


@pytest.mark.parametrize(
    ("error", "kind", "text"),
    [
        (build.BuildFailed("mkdocs.en.yml: 2 warning(s)"), build.BuildFailed, "mkdocs.en.yml: 2 warning(s)"),
        (ContentError(Problem("data/events.yml", "no such article", line=3)), ContentError, "data/events.yml:3: "),
        (_Unpicklable(), RuntimeError, "_Unpicklable: cannot travel"),
    ],
)
def test_a_childs_error_reaches_the_parent_as_itself_or_as_its_traceback(error, kind, text) -> None:
    import pickle

    try:
        raise error
    except Exception as exc:
        sent = pickle.loads(pickle.dumps(language_process._portable(exc)))
    assert type(sent) is kind and text in str(sent)
    if isinstance(error, ContentError):
        assert sent.problems == error.problems


os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kb_serve_rewrites_the_edited_page_and_reloads_the_browser(project: Path) -> None:
    """The real `kb serve`: the browser's live-reload request returns once the edited page is written."""
    import re
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "PYTHONPATH": str(Path(preview.__file__).parents[2])}
    command = [sys.executable, "-m", "kb.cli", "--root", str(project), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    page = base + "en/articles/rewind-ai-2024/"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(page, timeout=5) as response:
                    html = response.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "kb serve did not start"
                time.sleep(0.5)
        epoch = re.search(r"livereload\((\d+), \d+\)", html)[1]  # what the page's script asks the server
        replace_in(TRANSLATION, "Rewind AI 2024: The year", "Rewind AI 2024: Serving the year")(project)
        saved = time.monotonic()
        with urllib.request.urlopen(f"{base}livereload/{epoch}/1", timeout=120) as response:
            newer = response.read().decode("ascii")  # blocks until the rebuilt site is visible
        waited = time.monotonic() - saved
        assert int(newer) > int(epoch)
        with urllib.request.urlopen(page, timeout=5) as response:
            assert "Serving the year" in response.read().decode("utf-8")
        assert waited < 30, f"the browser reloaded {waited:.1f} s after the save"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "vi: unchanged; en: 1 page(s) rewritten" in output, output[-2000:]


def test_carried_over_is_only_what_the_articles_and_the_same_mentions_make() -> None:
    from kb.content.project import Project
    from kb.site import knowledge_pages

    mentions: dict[str, list[str]] = {"a": ["openai"]}
    other: dict[str, list[str]] = {"a": []}
    old = Project(Paths(Path("/nowhere")), [], [], [])
    old.cache.update(
        {
            ("mentioning", id(mentions)): "entity -> articles",
            ("related", id(mentions), "a", 3): "related to a",
            ("related-index", id(mentions)): "groups",
            ("mentioned-together", id(mentions)): "pairs in articles",
            ("related", id(other), "a", 3): "found from other mentions",
            ("companions", id(mentions)): "made from the events too",
            "page_dates": "made from the events too",
            "knowledge": "made from the data",
        }
    )
    new = Project(Paths(Path("/nowhere")), [], [], [])
    knowledge_pages.carry_over(old, new, mentions)
    assert sorted(new.cache.values()) == ["entity -> articles", "groups", "pairs in articles", "related to a"]
