"""Page work beside MkDocs (kb.site.finish): linking articles' terms, finishing pages, in a worker or here."""

from __future__ import annotations

import filecmp

import pytest

from kb.content.project import Paths
from kb.knowledge.facts import Knowledge
from kb.site import finish, pages
from kb.site.build import build_site
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return pages.load_site(ROOT, "vi").knowledge


# (html, searchable, terms, markdown) -> what must and must not be in the finished Vietnamese page
CASES = [
    pytest.param(
        '<p>Bài <a href="javascript:alert(1)" onclick="x()">đây</a></p><script>alert(2)</script>',
        True,
        set(),
        "",
        ["<div data-pagefind-body><p>Bài <a>đây</a></p>", 'data-kb-terms="day"'],
        ["javascript:", "onclick", "<script", "alert(2)"],
        id="active-content-removed-d-words-added",
    ),
    pytest.param(
        "<p>Tác nhân AI làm việc.</p>",
        True,
        {"ai-agent"},
        "",
        ['data-kb-terms="AI agents AI agent"'],
        [],
        id="other-language-names-of-its-terms",
    ),
    pytest.param(
        "<p>Về AI tạo sinh.</p>",
        True,
        None,
        "Về AI tạo sinh.\n",
        ['data-kb-terms="generative artificial intelligence generative AI GenAI"'],
        [],
        id="terms-found-in-the-markdown",
    ),
    pytest.param(
        '<ul><li><a href="../x/">Đà Nẵng</a></li></ul><iframe src="https://e.com"></iframe>',
        False,
        {"ai-agent"},
        "",
        ['<ul><li><a href="../x/">Đà Nẵng</a></li></ul>'],
        ["data-pagefind-body", "kb-search-terms", "<iframe"],
        id="not-searchable-page-is-only-sanitised",
    ),
    pytest.param(
        '<svg viewBox="0 0 10 10"><rect x="1" y="1" width="2" height="2" fill="#123"></rect></svg>',
        True,
        set(),
        "",
        ['<svg viewBox="0 0 10 10"><rect x="1" y="1" width="2" height="2" fill="#123"></rect></svg>'],
        ["kb-search-terms"],
        id="our-own-markup-kept-no-extra-words",
    ),
]


@pytest.mark.parametrize(("html", "searchable", "terms", "markdown", "present", "absent"), CASES)
def test_finish(knowledge, html, searchable, terms, markdown, present, absent):
    content = finish.PageWork("vi", knowledge).finish(html, searchable, terms, markdown)
    for text in present:
        assert text in content
    for text in absent:
        assert text not in content


BODIES = ["Một tác nhân AI và AI tạo sinh.\n\nLại tác nhân AI.", "Không có thuật ngữ.", "## AI tạo sinh\n\nAI tạo sinh"]


def _work(count: int = 30) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """Pages to finish and article bodies to link, keyed by page."""
    html = [case.values[0] for case in CASES]
    finished = {
        f"p{i}.md": (html[i % len(html)] * (1 + i), i % 3 != 0, None if i % 2 else {"ai-agent"}, BODIES[i % 3])
        for i in range(count)
    }
    linked = {f"a{i}.md": (BODIES[i % 3] * (1 + i), "../") for i in range(count)}
    return finished, linked


def _run(finisher: finish.Finisher, knowledge: Knowledge) -> tuple[dict, dict]:
    finished, linked = _work()
    finisher.begin("vi", knowledge)
    for key, args in linked.items():
        finisher.submit_link(key, *args)
    links = {key: finisher.link(key, *args) for key, args in linked.items()}
    for key, args in finished.items():
        finisher.submit(key, *args)
    return {key: finisher.result(key) for key in reversed(list(finished))}, links


def test_the_worker_does_the_work_as_this_process_does(knowledge):
    work = finish.PageWork("vi", knowledge)
    finished, linked = _work()
    expected = (
        {key: work.finish(*args) for key, args in finished.items()},
        {key: work.link(*args) for key, args in linked.items()},
    )
    assert any(used for _, used in expected[1].values())  # the bodies do have terms to link
    worker = finish.Finisher(worker=True)
    try:
        assert worker.in_worker
        assert _run(worker, knowledge) == expected
        assert worker.unfinished == []
    finally:
        worker.close()
    here = finish.Finisher(worker=False)
    assert not here.in_worker
    assert _run(here, knowledge) == expected


def test_a_page_finished_in_the_worker_is_not_kept_twice(knowledge):
    """Once the worker has finished a page, the HTML sent is let go: only the finished page waits to be collected."""
    finished, _ = _work()
    key, args = next(iter(finished.items()))
    finisher = finish.Finisher(worker=True)
    try:
        finisher.begin("vi", knowledge)
        finisher.submit(key, *args)
        while ("finish", key) not in finisher._done:
            finisher.pump(wait=True)
        assert finisher._sent["finish", key] == finish._FINISHED
        assert finisher.result(key) == finish.PageWork("vi", knowledge).finish(*args)
        assert finisher._sent == {} and finisher._done == {}
    finally:
        finisher.close()


def test_a_body_other_than_the_one_sent_is_linked_here(knowledge):
    finisher = finish.Finisher(worker=True)
    try:
        finisher.begin("vi", knowledge)
        finisher.submit_link("a.md", BODIES[0], "../")
        linked, used = finisher.link("a.md", BODIES[2], "../")  # MkDocs handed over another body
        assert (linked, used) == finish.PageWork("vi", knowledge).link(BODIES[2], "../")
        assert used == {"generative-ai"}
    finally:
        finisher.close()


def test_a_burst_larger_than_the_pipes_is_queued_without_waiting_and_all_comes_back(knowledge, monkeypatch):
    """on_files sends every article at once, far more than a pipe holds: no call waits for the worker
    to read (each writes what fits and keeps the rest), and every body comes back linked by the worker."""
    work = finish.PageWork("vi", knowledge)
    bodies = {f"{i}.md": f"{BODIES[i % len(BODIES)]}\n\n{'lời ' * 30_000}{i}" for i in range(60)}  # 7 MB
    expected = {key: work.link(body, "../") for key, body in bodies.items()}

    def not_here(self: finish.PageWork, body: str, prefix: str) -> tuple[str, set[str]]:
        raise AssertionError("linked in this process, not in the worker")

    monkeypatch.setattr(finish.PageWork, "link", not_here)
    finisher = finish.Finisher(worker=True)
    try:
        finisher.begin("vi", knowledge)
        for key, body in bodies.items():
            finisher.submit_link(key, body, "../")
        assert len(finisher._outgoing) > finish._PIPE_BYTES  # kept here, not waited for
        assert {key: finisher.link(key, body, "../") for key, body in bodies.items()} == expected
        assert finisher.in_worker and not finisher._outgoing
    finally:
        finisher.close()


def test_work_is_done_here_when_the_worker_dies(knowledge):
    finished, _ = _work()
    keys = list(finished)
    work = finish.PageWork("vi", knowledge)
    expected = {key: work.finish(*args) for key, args in finished.items()}
    finisher = finish.Finisher(worker=True)
    try:
        finisher.begin("vi", knowledge)
        for key in keys[:10]:
            finisher.submit(key, *finished[key])
        assert finisher.result(keys[0]) == expected[keys[0]]
        finisher._process.kill()  # type: ignore[union-attr]  # pages in flight are lost with it
        finisher._process.wait()  # type: ignore[union-attr]
        for key in keys[10:]:
            finisher.submit(key, *finished[key])
        assert {key: finisher.result(key) for key in keys[1:]} == {key: expected[key] for key in keys[1:]}
        assert not finisher.in_worker
        assert finisher.link("a.md", BODIES[0], "../") == work.link(BODIES[0], "../")
    finally:
        finisher.close()


@pytest.mark.parametrize("worker", [True, False])
def test_pages_never_collected_are_reported(knowledge, worker):
    finisher = finish.Finisher(worker=worker)
    try:
        finisher.begin("vi", knowledge)
        finisher.submit_link("c.md", BODIES[0], "../")  # an article body never asked for is not a page
        finisher.submit("a.md", "<p>a</p>", True, set(), "")
        finisher.submit("b.md", "<p>b</p>", True, set(), "")
        finisher.result("b.md")
        assert finisher.unfinished == ["a.md"]
    finally:
        finisher.close()


@pytest.mark.parametrize(("value", "expected"), [("0", False), (" 0 ", False), ("1", True), ("", True)])
def test_the_worker_can_be_turned_off(monkeypatch, value, expected):
    monkeypatch.setenv(finish.WORKER_ENV, value)
    monkeypatch.setattr(finish.os, "sched_getaffinity", lambda pid: {0, 1})
    assert finish.spare_core() is expected
    monkeypatch.setattr(finish.os, "sched_getaffinity", lambda pid: {0})  # one core: no worker
    assert finish.spare_core() is False


@pytest.mark.skipif(not finish.spare_core(), reason="one core: the session's site was not built with a worker")
def test_the_real_site_is_the_same_built_with_a_worker_or_without(built_site, tmp_path, monkeypatch):
    monkeypatch.setenv(finish.WORKER_ENV, "0")
    here = build_site(Paths(ROOT), tmp_path / "here")
    files = sorted(str(p.relative_to(here)) for p in here.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(built_site, here, files, shallow=False)
    assert not mismatch and not errors


@pytest.mark.skipif(not finish.spare_core(), reason="one core: no worker")
def test_the_worker_links_every_article_of_a_real_build(tmp_path, monkeypatch):
    """Each article body sent ahead is the one MkDocs hands over, so none is linked again in the build."""
    linked_here: list[str] = []
    link = finish.PageWork.link

    def recording(self: finish.PageWork, body: str, prefix: str) -> tuple[str, set[str]]:
        linked_here.append(body)
        return link(self, body, prefix)

    monkeypatch.setattr(finish.PageWork, "link", recording)  # in this process; the worker's is its own
    site = build_site(Paths(ROOT), tmp_path / "site")
    assert linked_here == []
    articles = [p for p in site.glob("**/articles/*/index.html") if "/page/" not in str(p)]
    assert len(articles) >= 10  # both languages' articles were built, and linked
    assert all('class="kb-term"' in p.read_text(encoding="utf-8") for p in articles)
