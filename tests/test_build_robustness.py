"""The build stays whole whatever the text, the cache, the signals or another build do:
no word runs off the page, chart labels print as written, every file the PDF renderer read
is a dependency, an unusable cache only costs time, Ctrl-C during the final moves splits
nothing, two builds into one folder take turns, and a tampered chart cache is not inlined."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from briefing.cli import main
from briefing.formats.render_html import DEFAULT_TEMPLATES

TITLE = "Poland and South Korea: Security and Defence Cooperation"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def _build(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["brief", *map(str, args)], catch_exceptions=False)


def _svg_texts(page: str) -> list[str]:
    """The text of every <text> element of the charts inlined in an HTML brief."""
    return [html.unescape(re.sub(r"<[^>]+>", "", text)) for text in re.findall(r"<text\b.*?</text>", page, re.S)]


# ---------------------------------------------------------------------------
# 5. No text is lost to a word too long for the page
# ---------------------------------------------------------------------------

WORD = "".join(f"Z{i:04d}" for i in range(2000))  # 10,000 characters, each 5-character step unique
URL = "https://example.org/" + "/".join(f"seg{i:02d}" for i in range(45))
TITLE_WORD = "".join(f"T{i:03d}" for i in range(60))
SYSTEM_WORD = "".join(f"P{i:03d}" for i in range(60))


def _found_in_order(word: str, text: str, start: int = 0) -> tuple[int, int]:
    """How many characters of ``word`` follow one another in ``text`` from ``start``, allowing
    page furniture (running heads, footnotes) between the pieces a page break cuts it into;
    and where in ``text`` the search ended."""
    found, at = 0, start
    while found < len(word):
        place = text.find(word[found : found + 20], at)
        if place < 0:
            break
        while found < len(word) and place < len(text) and text[place] == word[found]:
            found, place = found + 1, place + 1
        at = place
    return found, at


def _text_on_the_pages(pdf: Path) -> str:
    """What a reader sees: poppler's text, cut to each page (pypdf also returns text drawn off the page)."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) not installed")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", done.stdout)


def test_a_10000_character_word_and_long_urls_are_printed_whole(
    make_dossier: Callable[[], Any], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    # A statement the industry brief shows (a key point, in full in the supply chain section): one long word.
    dossier.edit(
        "facts.yaml",
        "    statement: >-\n      In the coming years, military equipment will be delivered by sea from the\n"
        "      Korean peninsula, almost 8,000 km away, as has been the case for years with\n"
        "      electronics and cars.\n",
        f"    statement: {WORD}\n",
    )
    # A URL as its citation's locator (a footnote); long words in table cells (sources, programmes).
    anchor = "\n        quote: >-\n          In the coming years,"
    dossier.edit("facts.yaml", f"locator: \"section 'Recommendations', para. 2\"{anchor}", f'locator: "{URL}"{anchor}')
    dossier.edit(
        "sources.yaml",
        'title: "Commentary on South Korea–Poland defence cooperation (untitled)"',
        f'title: "{TITLE_WORD}"',
    )
    dossier.edit("programmes.yaml", "system: K9 / K9PL", f"system: {SYSTEM_WORD}")
    out = tmp_path / "out"

    result = _build("-a", "industry", "--data", dossier.root, "--out", out)

    assert result.exit_code == 0, result.output
    text = _text_on_the_pages(out / f"{dossier_id}-industry.pdf")
    page = (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")
    # Every time the brief shows the word (a key point with a headline is printed in full once, in
    # the body: issue 23), all of it is on the page.
    shown = page.count(f'<span class="long-word">{WORD}</span>')
    assert shown >= 1
    at = 0
    for time in range(shown):
        found, at = _found_in_order(WORD, text, at)
        assert found == len(WORD), f"time {time + 1}: only {found} of the word's {len(WORD)} characters are on the page"
    for long_word in (URL, TITLE_WORD, SYSTEM_WORD):
        assert _found_in_order(long_word, text)[0] == len(long_word), f"{long_word[:30]}… runs off the page"
    assert f'<span class="long-word">{WORD}</span>' in page
    assert "overflow-wrap: break-word" in page and ".long-word { overflow-wrap: anywhere" in page


# ---------------------------------------------------------------------------
# 6. Chart labels print exactly what the data says
# ---------------------------------------------------------------------------


def test_dollar_signs_in_chart_labels_are_printed_as_written(
    make_dossier: Callable[[], Any], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    facts = dossier.file("facts.yaml")
    # Two "$" in one label: matplotlib would typeset the text between them as mathematics.
    unit = "US$ billion ($bn)"
    facts.write_text(facts.read_text(encoding="utf-8").replace("unit: USD billion", f'unit: "{unit}"'), "utf-8")
    out = tmp_path / "out"

    # The money chart (the comparison of the 2022 contracts' value) is the parliament brief's.
    result = _build("-a", "parliament", "--format", "html", "--data", dossier.root, "--out", out)

    assert result.exit_code == 0, result.output
    labels = _svg_texts((out / f"{dossier_id}-parliament.html").read_text(encoding="utf-8"))
    assert unit in labels, f"the axis label is not printed as written: {labels}"
    assert "$16.6 billion" in labels


# ---------------------------------------------------------------------------
# 7. A file the PDF renderer read through CSS url() is a dependency
# ---------------------------------------------------------------------------

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="{}"/></svg>'


def test_a_changed_image_named_in_the_css_rebuilds_the_pdf(tmp_path: Path, repo_root: Path, dossier_id: str) -> None:
    overrides = tmp_path / "overrides"
    static = overrides / "static"
    static.mkdir(parents=True)
    shipped = (DEFAULT_TEMPLATES / "static" / "print.css").read_text(encoding="utf-8")
    (static / "print.css").write_text(
        shipped + "\n.cover { background: url(logo.svg) no-repeat right top; }\n", "utf-8"
    )
    logo = static / "logo.svg"
    logo.write_text(LOGO.format("#8a1c1c"), encoding="utf-8")
    out = tmp_path / "out"
    args = ("-a", "industry", "--format", "pdf", "--data", repo_root / "data", "--out", out, "--templates", overrides)
    pdf = out / f"{dossier_id}-industry.pdf"

    first = _build(*args)
    assert first.exit_code == 0, first.output
    before = pdf.read_bytes()
    logo.write_text(LOGO.format("#1f5f8b"), encoding="utf-8")

    second = _build(*args)

    assert second.exit_code == 0, second.output
    assert f"wrote {pdf}" in second.output, f"the changed logo did not rebuild the PDF:\n{second.output}"
    assert pdf.read_bytes() != before
    third = _build(*args)
    assert f"up to date {pdf}" in third.output, third.output


# ---------------------------------------------------------------------------
# 8. A cache that cannot be used only costs time
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["briefing-is-a-file", "cache-inside-a-file"])
def test_an_unusable_cache_does_not_fail_the_build(
    how: str, tmp_path: Path, repo_root: Path, dossier_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A regular file where a folder should be: not even root can write below it.
    if how == "briefing-is-a-file":
        cache = tmp_path / "unusable"
        cache.mkdir()
        (cache / "briefing").write_text("not a folder\n", encoding="utf-8")
    else:
        (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
        cache = tmp_path / "a-file" / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    out = tmp_path / "out"
    # industry has charts (drawn through the cache); ministry has none.
    args = ("-a", "industry", "-a", "ministry", "--format", "html", "--data", repo_root / "data", "--out", out)

    for _ in range(2):  # and again: with no record, everything is simply rendered again
        result = _build(*args)

        assert result.exit_code == 0, result.output
        assert "rror" not in result.output and "no output of this build was kept" not in result.output
        assert len([line for line in result.stderr.splitlines() if "cache" in line]) <= 1, result.stderr
        for audience in ("industry", "ministry"):
            assert f"wrote {out / f'{dossier_id}-{audience}.html'}" in result.stdout
    assert "<svg" in (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# 9. Ctrl-C during the final moves splits nothing
# ---------------------------------------------------------------------------


def _title_in(out: Path, dossier_id: str, audience: str) -> tuple[str, str]:
    """The last word of the title in the HTML and in the PDF of one brief."""
    import pypdf

    page = (out / f"{dossier_id}-{audience}.html").read_text(encoding="utf-8")
    pdf = " ".join(page.extract_text() for page in pypdf.PdfReader(out / f"{dossier_id}-{audience}.pdf").pages)
    words = [re.search(re.escape(TITLE) + r" (\w+)", text) for text in (page, re.sub(r"\s+", " ", pdf))]
    return tuple(match.group(1) if match else "?" for match in words)  # type: ignore[return-value]


def test_ctrl_c_right_after_the_first_move_splits_nothing(
    make_dossier: Callable[[], Any], tmp_path: Path, dossier_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.build.pipeline import build_briefs

    dossier = make_dossier()
    out = tmp_path / "out"
    dossier.edit("dossier.yaml", f'title: "{TITLE}"', f'title: "{TITLE} Before"')
    build_briefs(dossier.root, out, ["ministry"])
    assert _title_in(out, dossier_id, "ministry") == ("Before", "Before")
    # What a build killed with -9 during its moves leaves: removed by the next build.
    leftovers = [out / f".{dossier_id}-ministry.pdf.k1lled00.old", out / f".{dossier_id}-ministry.html.k1lled00.tmp"]
    for path in leftovers:
        path.write_bytes(b"left by a killed build")
    dossier.edit("dossier.yaml", f'title: "{TITLE} Before"', f'title: "{TITLE} After"')

    real_replace = os.replace
    moves: list[str] = []

    def replace_then_interrupt(source: Any, target: Any) -> None:
        real_replace(source, target)
        if Path(target).parent == out:
            moves.append(Path(target).name)
            if len(moves) == 1:  # Ctrl-C arrives right after the first brief is moved into place
                os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_briefs(dossier.root, out, ["ministry"])
    monkeypatch.undo()

    html_title, pdf_title = _title_in(out, dossier_id, "ministry")
    assert html_title == pdf_title, f"the HTML says {html_title!r}, the PDF {pdf_title!r}"
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == []


# ---------------------------------------------------------------------------
# Two builds into one folder take turns
# ---------------------------------------------------------------------------


def test_two_builds_into_one_folder_take_turns(
    make_dossier: Callable[[], Any], tmp_path: Path, repo_root: Path, dossier_id: str
) -> None:
    first, second = make_dossier(), make_dossier()
    first.edit("dossier.yaml", f'title: "{TITLE}"', f'title: "{TITLE} First"')
    second.edit("dossier.yaml", f'title: "{TITLE}"', f'title: "{TITLE} Second"')
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        "from briefing.cli import main; main()",
        "brief",
        "-a",
        "ministry",
        "--out",
        str(out),
    ]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}

    runs = [
        subprocess.Popen([*command, "--data", str(d.root)], cwd=repo_root, env=env, text=True, stderr=subprocess.PIPE)
        for d in (first, second)
    ]
    errors = [run.communicate(timeout=300)[1] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], errors
    assert not any("Traceback" in text for text in errors), errors
    assert sum(f"waiting for another build into {out}" in text for text in errors) == 1, errors
    html_title, pdf_title = _title_in(out, dossier_id, "ministry")
    assert html_title == pdf_title and html_title in ("First", "Second"), (html_title, pdf_title)
    assert sorted(path.name for path in out.iterdir()) == [
        f"{dossier_id}-ministry.html",
        f"{dossier_id}-ministry.pdf",
        f"{dossier_id}-ministry.sources.html",  # the page the notes link to
    ]


# ---------------------------------------------------------------------------
# A chart from the cache is checked before it is inlined
# ---------------------------------------------------------------------------

INJECTIONS = {
    "script": ("</svg>", "<script>alert('cache')</script></svg>", "alert('cache')"),
    "event-attribute": ("<svg ", '<svg onload="alert(1)" ', "onload="),
    "foreign-object": ("</svg>", "<foreignObject><div>hidden-html</div></foreignObject></svg>", "hidden-html"),
    "external-link": ("</svg>", '<image href="https://attacker.example/x.png"/></svg>', "attacker.example"),
}


@pytest.mark.parametrize("kind", INJECTIONS)
def test_an_edited_chart_cache_entry_is_not_inlined(
    kind: str, private_cache: Path, tmp_path: Path, repo_root: Path, dossier_id: str
) -> None:
    out = tmp_path / "out"
    # The parliament brief draws the money chart, whose axis says "USD billion".
    args = ("-a", "parliament", "--format", "html", "--data", repo_root / "data", "--out", out, "--force")
    assert _build(*args).exit_code == 0
    entries = sorted((private_cache / "briefing" / "charts").glob("*.json"))
    assert entries, "no chart was cached"

    def edit(old: str, new: str) -> None:
        for entry in entries:
            stored = json.loads(entry.read_text(encoding="utf-8"))
            stored["svg"] = stored["svg"].replace(old, new, 1)
            entry.write_text(json.dumps(stored), encoding="utf-8")

    # A harmless edit is used (so the check lets matplotlib's own drawings through) ...
    edit(">USD billion<", ">USD billion CACHED<")
    assert _build(*args).exit_code == 0
    page = (out / f"{dossier_id}-parliament.html").read_text(encoding="utf-8")
    assert "USD billion CACHED" in _svg_texts(page), "a valid cache entry was not used"

    # ... one that adds anything active or external is drawn again instead.
    old, new, marker = INJECTIONS[kind]
    edit(old, new)
    result = _build(*args)

    assert result.exit_code == 0, result.output
    page = (out / f"{dossier_id}-parliament.html").read_text(encoding="utf-8")
    assert marker not in page
    assert "USD billion" in _svg_texts(page), "the chart was not drawn again"
