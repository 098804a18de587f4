"""The last step of each page (kb.finish): sanitised and marked for search, in a worker process or here."""

from __future__ import annotations

import filecmp

import pytest

from kb import finish
from kb.build import build_site
from kb.project import Paths
from tests.conftest import ROOT

# (html, searchable, other-language forms) -> what must and must not be in the finished content
CASES = [
    pytest.param(
        '<p>Bài <a href="javascript:alert(1)" onclick="x()">đây</a></p><script>alert(2)</script>',
        True,
        [],
        ["<div data-pagefind-body><p>Bài <a>đây</a></p>", 'data-kb-terms="day"'],
        ["javascript:", "onclick", "<script", "alert(2)"],
        id="active-content-removed-d-words-added",
    ),
    pytest.param(
        "<p>Lượng tử hóa giúp mô hình chạy nhanh.</p>",
        True,
        ["quantization"],
        ['data-kb-terms="quantization"'],
        [],
        id="other-language-terms",
    ),
    pytest.param(
        '<ul><li><a href="../x/">Đà Nẵng</a></li></ul><iframe src="https://e.com"></iframe>',
        False,
        ["ignored"],
        ['<ul><li><a href="../x/">Đà Nẵng</a></li></ul>'],
        ["data-pagefind-body", "kb-search-terms", "<iframe"],
        id="not-searchable-page-is-only-sanitised",
    ),
    pytest.param(
        '<svg viewBox="0 0 10 10"><rect x="1" y="1" width="2" height="2" fill="#123"></rect></svg>',
        True,
        [],
        ['<svg viewBox="0 0 10 10"><rect x="1" y="1" width="2" height="2" fill="#123"></rect></svg>'],
        ["kb-search-terms"],
        id="our-own-markup-kept-no-extra-words",
    ),
]


@pytest.mark.parametrize(("html", "searchable", "forms", "present", "absent"), CASES)
def test_finish(html, searchable, forms, present, absent):
    content = finish.finish(html, searchable, forms)
    for text in present:
        assert text in content
    for text in absent:
        assert text not in content


def _finished(finisher: finish.Finisher, pages: dict[str, tuple[str, bool, list[str]]]) -> dict[str, str]:
    for key, args in pages.items():
        finisher.submit(key, *args)
    return {key: finisher.result(key) for key in reversed(list(pages))}


def _pages(count: int = 30) -> dict[str, tuple[str, bool, list[str]]]:
    html = [case.values[0] for case in CASES]
    return {f"p{i}.md": (html[i % len(html)] * (1 + i), i % 3 != 0, ["x", "y"][: i % 3]) for i in range(count)}


def test_the_worker_finishes_pages_as_this_process_does():
    pages = _pages()
    expected = {key: finish.finish(*args) for key, args in pages.items()}
    worker = finish.Finisher(worker=True)
    try:
        assert worker.in_worker
        assert _finished(worker, pages) == expected
        assert worker.unfinished == []
    finally:
        worker.close()
    here = finish.Finisher(worker=False)
    assert not here.in_worker
    assert _finished(here, pages) == expected


def test_pages_are_finished_here_when_the_worker_dies():
    pages = _pages()
    keys = list(pages)
    expected = {key: finish.finish(*args) for key, args in pages.items()}
    finisher = finish.Finisher(worker=True)
    try:
        for key in keys[:10]:
            finisher.submit(key, *pages[key])
        assert finisher.result(keys[0]) == expected[keys[0]]
        finisher._process.kill()  # type: ignore[union-attr]  # pages in flight are lost with it
        finisher._process.wait()  # type: ignore[union-attr]
        for key in keys[10:]:
            finisher.submit(key, *pages[key])
        assert {key: finisher.result(key) for key in keys[1:]} == {key: expected[key] for key in keys[1:]}
        assert not finisher.in_worker
    finally:
        finisher.close()


def test_pages_never_collected_are_reported():
    finisher = finish.Finisher(worker=False)
    finisher.submit("a.md", "<p>a</p>", True, [])
    finisher.submit("b.md", "<p>b</p>", True, [])
    finisher.result("b.md")
    assert finisher.unfinished == ["a.md"]


@pytest.mark.parametrize(("value", "expected"), [("0", False), (" 0 ", False), ("1", True), ("", True)])
def test_the_worker_can_be_turned_off(monkeypatch, value, expected):
    monkeypatch.setenv(finish.WORKER_ENV, value)
    monkeypatch.setattr(finish.os, "sched_getaffinity", lambda pid: {0, 1})
    assert finish.spare_core() is expected
    monkeypatch.setattr(finish.os, "sched_getaffinity", lambda pid: {0})  # one core: no worker
    assert finish.spare_core() is False


@pytest.mark.skipif(not finish.spare_core(), reason="one core: the session's site was not finished by a worker")
def test_the_real_site_is_the_same_finished_in_a_worker_or_here(built_site, tmp_path, monkeypatch):
    monkeypatch.setenv(finish.WORKER_ENV, "0")
    here = build_site(Paths(ROOT), tmp_path / "here")
    files = sorted(str(p.relative_to(here)) for p in here.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(built_site, here, files, shallow=False)
    assert not mismatch and not errors
