"""Bounded work on any input the limits allow (docs/security-limits.md): each hostile input of
issue 20 ends in a clear message or a correct result, never a traceback or a hang.

Time is not asserted (speed is measured in benchmarks/); each test instead either runs in a
child process killed after a generous limit, or counts the work done (pages read, values built).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from briefing.dossier import verify, yamlload
from briefing.dossier.verify import Document, Extracted, closest_passage, html_text, normalise

ROOT = Path(__file__).resolve().parent.parent
PISM = ROOT / "data" / "seeds" / "001_1097802997c690f0.txt"
FICTIONAL = ROOT / "tests" / "fixtures" / "fictional"
# A child process that takes longer than this is stuck (each takes well under ten seconds here).
HANG = 120


def _in_child(code: str, timeout: float = HANG) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, killed after ``timeout`` seconds (then the test fails)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


# ---------------------------------------------------------------------------
# The closest passage of a long quote
# ---------------------------------------------------------------------------


def _long_quote(changed: str = "twice") -> tuple[str, str, str]:
    """19,000 characters of the PISM paper as a quote, with one word changed; the source's word and ours."""
    text = normalise(PISM.read_text(encoding="utf-8"))
    start = text.index("In the wake of Russia")
    quote = text[start : start + 19_000].rsplit(" ", 1)[0]
    words = quote.split(" ")
    middle = len(words) // 2
    index = next(i for i in range(middle, len(words)) if words[i].isalpha() and len(words[i]) > 4)
    original = words[index]
    words[index] = changed
    return text, " ".join(words), original


def test_a_19000_character_quote_with_one_changed_word_gets_its_closest_passage() -> None:
    text, quote, original = _long_quote()
    passage, ratio = closest_passage(text, quote)
    assert ratio > 0.95
    assert original in passage.split() and "twice" not in passage.split()
    assert len(passage) >= len(quote) - 200
    message = verify._first_difference(passage, quote)
    assert message == f"the quote has 'twice' where the source has {original!r}"


def test_check_reports_the_long_misquote_at_its_line(
    cli: Callable[..., Result], make_dossier: Callable[..., Any]
) -> None:
    """The issue's RecursionError, through the command line, on the shipped dossier and paper."""
    _, quote, original = _long_quote()
    dossier = make_dossier()
    facts = dossier.text("facts.yaml")
    added = (
        "\n  - id: long-misquote\n    statement: A long quote with one changed word.\n"
        "    tags: [diplomacy]\n    credibility: 2\n"
        "    cites:\n      - source: pism-2024\n        locator: \"'whole paper'\"\n"
        f"        quote: {json.dumps(quote)}\n"
    )
    written = facts + added
    line = written.count("\n", 0, written.index("quote: ", len(facts))) + 1
    dossier.write("facts.yaml", written)
    result = cli("check", "--data", dossier)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    found = [row for row in result.output.splitlines() if f"facts.yaml:{line}:" in row]
    assert len(found) == 1, result.output[-3000:]
    assert "quote not found in seeds/001_1097802997c690f0.txt" in found[0]
    assert f"the quote has 'twice' where the source has {original!r}" in found[0]
    assert len(result.output) < 20_000, "the message shortens the quote and its passage"


def test_closest_passage_in_a_long_text_still_finds_a_short_typo() -> None:
    """The window the fragment's words point to is narrow: far-off text does not enter it."""
    filler = " ".join(f"filler{i}" for i in range(200_000))
    text = f"{filler} the tanks were delivered in 2025 to the army {filler}"
    passage, ratio = closest_passage(text, "the tanks were shipped in 2025 to the army")
    assert passage == "the tanks were delivered in 2025 to the army"
    assert ratio > 0.8


def test_a_long_quote_found_nowhere_is_answered_in_a_bounded_time() -> None:
    """Many pages, a long quote none of them holds: only the likeliest pages are compared in full."""
    result = _in_child(
        """
        import time
        from briefing.dossier.verify import Document, Extracted, _quote_problem
        pages = tuple(" ".join(f"page{p}word{w}" for w in range(400)) for p in range(3000))
        document = Document.of(Extracted("pdf", pages))
        quote = " ".join(f"missing{w} words" for w in range(2500))
        start = time.perf_counter()
        print(_quote_problem(document, "big.pdf", quote, "")[1][:60])
        print(round(time.perf_counter() - start, 1))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "not found in big.pdf" in result.stdout


# ---------------------------------------------------------------------------
# HTML sources
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["<a ", "<a href='", '<a b="', "<!--", "<a <b "])
def test_an_unclosed_tag_run_is_read_in_linear_time(unit: str) -> None:
    """171 KB of "<a <a ..." ran past 150 s (each "<" was parsed again up to the end)."""
    result = _in_child(
        f"""
        from briefing.dossier.verify import html_text
        markup = "<p>Visible words</p>" + {unit!r} * 60_000
        print(html_text(markup)[:40].strip())
        """,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Visible words")


def test_text_after_the_last_tag_is_still_read() -> None:
    assert " ".join(html_text("<p>One</p> two &amp; three <b four").split()) == "One two & three <b four"
    assert " ".join(html_text("<p>One</p><!-- not closed").split()) == "One <!-- not closed"


# ---------------------------------------------------------------------------
# PDF sources
# ---------------------------------------------------------------------------


def _shared_stream_pdf(pages: int, text: str = "The shared page says the same thing") -> bytes:
    """A PDF whose ``pages`` pages all draw one content stream (as the issue's 20,000-page file did)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{5 + i} 0 R".encode() for i in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>"
    )
    objects += [page] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pages_sharing_one_content_stream_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf

    calls = 0
    original = pypdf.PageObject.extract_text

    def counted(self: Any, *args: Any, **kwargs: Any) -> str:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", counted)
    extracted = verify._extract_pdf(_shared_stream_pdf(400))
    assert len(extracted.pages) == 400
    assert all(page.strip() == "The shared page says the same thing" for page in extracted.pages)
    assert calls == 1


def test_a_pdf_over_the_page_budget_is_refused_with_its_count(tmp_path: Path) -> None:
    path = tmp_path / "many.pdf"
    path.write_bytes(_shared_stream_pdf(verify.MAX_PDF_PAGES + 1))
    with pytest.raises(verify.SourceReadError, match=r"has 5,001 pages; the limit is 5,000"):
        verify.read_source(path)


def test_a_pdf_over_the_character_budget_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "MAX_SOURCE_CHARACTERS", 1_000)
    path = tmp_path / "long.pdf"
    path.write_bytes(_shared_stream_pdf(100))
    with pytest.raises(verify.SourceReadError, match=r"more than 1,000 characters of text"):
        verify.read_source(path)


def test_the_issue_s_shared_stream_pdf_is_checked_quickly_and_caches_little(tmp_path: Path) -> None:
    """2,000 pages sharing one stream took 108 s, 517 MB and wrote a 112 MB cache entry."""
    result = _in_child(
        f"""
        import os
        from pathlib import Path
        os.environ["XDG_CACHE_HOME"] = {str(tmp_path / "cache")!r}
        from tests.test_bounds import _shared_stream_pdf
        from briefing.dossier import verify
        path = Path({str(tmp_path / "shared.pdf")!r})
        path.write_bytes(_shared_stream_pdf(2000, "x" * 2000))
        document = verify.read_source(path)
        # The peak of this process's own memory: ru_maxrss would also count the test runner's, which
        # Linux carries across the exec that started this interpreter.
        peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
        print(len(document.pages), peak // 1024)
        """
    )
    assert result.returncode == 0, result.stderr
    pages, megabytes = map(int, result.stdout.split())
    assert pages == 2000 and megabytes < 400
    entries = list((tmp_path / "cache" / "briefing" / "text").glob("*.json"))
    assert len(entries) == 1 and entries[0].stat().st_size < 10 * 2**20


# ---------------------------------------------------------------------------
# Source size and the memo
# ---------------------------------------------------------------------------


def test_a_large_text_source_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A sparse file costs no disk: 99 MiB of it took 347 MB of memory when read as text."""
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(verify.MAX_TEXT_SOURCE_BYTES + 1)
    with pytest.raises(verify.SourceReadError, match=r"33,554,433 bytes; the limit for a text, Markdown or HTML"):
        verify.read_source(path)


def test_a_text_source_over_the_character_budget_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "MAX_SOURCE_CHARACTERS", 100)
    path = tmp_path / "long.md"
    path.write_text("word " * 21, encoding="utf-8")
    with pytest.raises(verify.SourceReadError, match=r"105 characters of text; the limit is 100"):
        verify.read_source(path)


def test_the_memo_is_bounded_by_the_characters_it_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "MEMO_CHARACTERS", 10_000)
    verify._memo.clear()
    for number in range(10):
        path = tmp_path / f"source-{number}.txt"
        path.write_text(f"source {number} " + "text " * 800, encoding="utf-8")
        verify.read_source(path)
        assert sum(verify._size(document) for document in verify._memo.values()) <= 10_000
    assert verify._memo  # the newest stays memoised
    verify._memo.clear()


# ---------------------------------------------------------------------------
# The cache of extracted text is not trusted as written
# ---------------------------------------------------------------------------


def test_an_edited_cache_entry_cannot_make_check_accept_a_made_up_quote(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import shutil

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "fictional"
    shutil.copytree(FICTIONAL, root)
    made_up = "Kessport desalination modules were sold to a secret buyer"
    facts = (root / "facts.yaml").read_text(encoding="utf-8")
    assert "Kessport were operating at" in facts
    verify._memo.clear()
    assert cli("check", "--data", root).exit_code == 0
    digest = hashlib.sha256((root / "sources" / "vics-report.pdf").read_bytes()).hexdigest()
    entry = tmp_path / "cache" / "briefing" / "text" / f"{digest}.json"
    stored = json.loads(entry.read_text(encoding="utf-8"))
    # The forger adds the made-up sentence to the cached text of page 3 ...
    stored["pages"][2] = stored["pages"][2] + "\n" + made_up
    entry.write_text(json.dumps(stored), encoding="utf-8")
    # ... and a fact that quotes it.
    (root / "facts.yaml").write_text(
        facts
        + "\n  - id: made-up\n    statement: A made-up claim.\n    tags: [water]\n    credibility: 2\n    cites:\n"
        + f"      - source: vics-report\n        locator: p. 3\n        quote: {made_up}\n",
        encoding="utf-8",
    )
    verify._memo.clear()
    result = cli("check", "--data", root)
    assert result.exit_code == 1, result.output
    assert re.search(r"facts\.yaml:\d+:\d+: facts\[\d+\]\.cites\[0\]\.quote: quote not found", result.output)
    # The tampered entry was replaced by a good one.
    assert made_up not in entry.read_text(encoding="utf-8")
    verify._memo.clear()


def test_a_cache_entry_is_kept_for_the_file_it_was_made_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry renamed to another file's digest (its own digest intact) is not used for that file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    first.write_text("<p>First file says one thing</p>", encoding="utf-8")
    second.write_text("<p>Second file says another</p>", encoding="utf-8")
    verify._memo.clear()
    verify.read_source(first)
    folder = tmp_path / "cache" / "briefing" / "text"
    (entry,) = folder.glob("*.json")
    import hashlib

    entry.rename(folder / f"{hashlib.sha256(second.read_bytes()).hexdigest()}.json")
    verify._memo.clear()
    assert "Second file" in verify.read_source(second).pages[0]
    verify._memo.clear()


# ---------------------------------------------------------------------------
# YAML near the size limit
# ---------------------------------------------------------------------------


def test_a_15_mb_list_of_tiny_items_is_refused_at_once_with_its_line(tmp_path: Path) -> None:
    """The issue's 15 MB timeline.yaml took 7.9 GB and printed 802 MB; it is refused at the item past the limit."""
    result = _in_child(
        f"""
        from pathlib import Path
        from briefing.dossier.yamlload import Origins, load_yaml
        path = Path({str(tmp_path / "timeline.yaml")!r})
        path.write_text("timeline: [" + "a, " * 5_000_000 + "a]\\n", encoding="utf-8")
        data, problems = load_yaml(path, "timeline.yaml", Origins())
        peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))  # as above
        print(data, len(problems), problems[0], peak // 1024, sep="|")
        """
    )
    assert result.returncode == 0, result.stderr
    data, count, problem, megabytes = result.stdout.strip().split("|")
    assert data == "None" and count == "1"
    assert problem.startswith("timeline.yaml:1:150012: timeline: the list holds more than 50,000 items")
    assert int(megabytes) < 500


def test_a_file_of_too_many_values_is_refused_at_the_value_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlload, "MAX_VALUES", 20)
    path = tmp_path / "timeline.yaml"
    path.write_text(
        "timeline:\n" + "".join(f"  - date: '2024'\n    event: event {n}\n" for n in range(10)), encoding="utf-8"
    )
    data, problems = yamlload.load_yaml(path, "timeline.yaml", yamlload.Origins())
    assert data is None
    assert [str(p) for p in problems] == [
        "timeline.yaml:8:11: timeline[3]: the file holds more than 20 values: "
        f"the limits are 20 values a file and {yamlload.MAX_ITEMS:,} items a list"
    ]


def test_the_shipped_dossier_is_far_below_the_value_limits() -> None:
    """A 10,000-fact dossier (benchmarks/scale.py) must still load: the limits leave room for it."""
    import yaml

    events = yaml.parse((ROOT / "data" / "facts.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    values = sum(1 for event in events if isinstance(event, yamlload._NODE_EVENTS))
    facts = (ROOT / "data" / "facts.yaml").read_text(encoding="utf-8").count("\n  - id: ")
    assert values / facts * 10_000 < yamlload.MAX_VALUES
    assert yamlload.MAX_ITEMS > 10_000


# ---------------------------------------------------------------------------
# Sanity of the helpers used above
# ---------------------------------------------------------------------------


def test_the_shared_stream_pdf_is_a_real_pdf() -> None:
    document = Document.of(verify._extract_pdf(_shared_stream_pdf(3)))
    assert document.pages == ["The shared page says the same thing"] * 3
    assert isinstance(document.extracted, Extracted)


# ---------------------------------------------------------------------------
# Disagreements grouped per measure and time; messages capped
# ---------------------------------------------------------------------------


def _measure_dossier(root: Path, size: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        # A benchmark script, importable only from its folder (so mypy cannot follow it): its signature here.
        make_dossier: Callable[[Path, str, int], None] = importlib.import_module("check_growth").make_dossier
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    make_dossier(root, "measure", size)


def test_a_measure_with_many_values_is_one_disagreement_listing_them(tmp_path: Path) -> None:
    """2,000 values of one measure were 2,000² pairs (past 600 s); they are one disagreement."""
    from briefing.build.check import run_check
    from briefing.formats.render_html import TemplateSet

    _measure_dossier(tmp_path / "d", 120)
    report = run_check(tmp_path / "d", TemplateSet())
    assert report.errors == []
    assert len(report.conflicts) == 1
    (conflict,) = report.conflicts
    assert conflict.about == "stock.count (as of 2025)"
    assert [side.fact for side in conflict.sides] == [f"fact-{n}" for n in range(120)]
    assert conflict.sides[7].figures == ["stock.count = 1007 units (as of 2025)"]
    text = report.as_text()
    assert text.count("facts.yaml:") == 100 and "… and 20 more sources' values" in text


def test_dates_that_may_name_one_time_are_one_disagreement_and_a_series_is_none() -> None:
    from briefing.build.check import _same_times

    groups = sorted(map(sorted, _same_times(["2024", "2024-10", "2024-11", "2025-01", "2025-02"])))
    assert groups == [["2024", "2024-10", "2024-11"], ["2025-01"], ["2025-02"]]
    assert _same_times(["2024-10", "", "2026"]) == [["2024-10", "", "2026"]]  # undated: any time


def test_check_output_is_capped_with_a_count(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """A dossier with thousands of errors prints the first 100 and how many more, never megabytes."""
    _measure_dossier(tmp_path / "d", 10)
    facts = tmp_path / "d" / "facts.yaml"
    bad = "".join(f"  - id: broken-{n}\n    statement: x\n" for n in range(3000))
    facts.write_text(facts.read_text(encoding="utf-8") + bad, encoding="utf-8")
    result = cli("check", "--data", tmp_path / "d")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 100
    assert re.search(r"… and [\d,]+ more errors \(all of them: generate check --format json\)", result.output)
    assert len(result.output) < 50_000
    as_json = json.loads(cli("check", "--data", tmp_path / "d", "--format", "json").output)
    assert len(as_json["errors"]) > 3000 and "totals" not in as_json
    build = cli("brief", "-a", "council", "--data", tmp_path / "d", "--out", tmp_path / "out")
    assert build.exit_code == 1 and len(build.output) < 50_000 and "more (fix these first" in build.output


def test_the_json_report_is_capped_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.build import check
    from briefing.errors import Problem

    monkeypatch.setattr(check, "JSON_SHOWN", 5)
    report = check.CheckReport(errors=[Problem("f.yaml", n, 1, "x", "bad") for n in range(1, 9)])
    as_json = report.as_json()
    assert len(as_json["errors"]) == 5 and as_json["totals"] == {"errors": 8}
