"""The cleaning of an HTML brief is not silent: what it removed is named, by kind, once a brief.

A received template that writes a script, an event handler, a frame, a refresh or a remote image
gets a brief without them (tests/test_inert_briefs.py) and a warning saying so; markup written in
the dossier's data is text and warns nothing; the shipped templates lose nothing.  The warning
names kinds only, a bounded number of them, never what was removed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from briefing.formats.sanitize import SHOWN_KINDS, Removed, inert_html

ROOT = Path(__file__).resolve().parent.parent
WARNED = "produced markup that briefs never carry"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b[31m"

# What the hostile brief.html below adds to the head and the lead, in the order written.
HOSTILE_HEAD = """<meta http-equiv="refresh" content="0;url=https://evil.example/refresh">
<script>fetch("https://evil.example/script")</script>"""
HOSTILE_LEAD = """<p onclick="steal()">one</p><span onclick="steal()">two</span>
<iframe src="https://evil.example/frame"></iframe><img src="https://evil.example/pixel.png" alt="">"""
EXPECTED = "<meta http-equiv> ×1, <script> ×1, onclick attribute ×2, <iframe> ×1, address in src ×1"


def _override(folder: Path, head: str = HOSTILE_HEAD, lead: str = HOSTILE_LEAD) -> Path:
    """An override brief.html that adds ``head`` to the head and ``lead`` to the lead."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.html").write_text(
        '{% extends "default:base.html" %}\n'
        f"{{% block head %}}{{{{ super() }}}}\n{head}\n{{% endblock %}}\n"
        f"{{% block lead %}}\n{lead}\n{{{{ super() }}}}\n{{% endblock %}}\n",
        encoding="utf-8",
    )
    return folder


def _warnings(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if WARNED in line]


def _audiences(repo_root: Path) -> list[str]:
    audiences = sorted(path.stem for path in (repo_root / "data" / "audiences").glob("*.yaml"))
    assert len(audiences) == 3
    return audiences


def test_a_hostile_template_is_named_once_per_brief_and_the_brief_stays_inert(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli(
        "brief", "-a", "all", "--format", "html", "--out", out, "--data", repo_root / "data",
        "--templates", _override(tmp_path / "tpl"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    warnings = _warnings(result)
    assert sorted(re.findall(r"^warning \((\w+)\)", "\n".join(warnings), re.M)) == _audiences(repo_root), warnings
    for warning in warnings:
        assert warning.endswith(f"the HTML brief's templates {WARNED}, removed: {EXPECTED} (docs/security.md)"), warning
    briefs = [path for path in out.glob("*.html") if not path.name.endswith(".sources.html")]
    assert len(briefs) == 3
    for brief in briefs:
        text = brief.read_text(encoding="utf-8")
        for gone in ("<script", "onclick", 'http-equiv="refresh"', "<iframe", "evil.example"):
            assert gone not in text.lower(), f"{gone} reached {brief.name}"
        assert ">one</p>" in text and ">two</span>" in text  # what the override writes around them stays


def test_a_page_two_formats_write_is_counted_once(cli: Callable[..., Result], repo_root: Path, tmp_path: Path) -> None:
    """The HTML brief and the Word file both write the sources page (it is rendered for each): its
    script is counted once, beside the brief's own, in the brief's one warning."""
    templates = _override(tmp_path / "tpl", head="", lead='<p onclick="steal()">one</p>')
    sources = (repo_root / "templates" / "sources.html").read_text(encoding="utf-8")
    assert sources.count("</body>") == 1
    (templates / "sources.html").write_text(sources.replace("</body>", "<script>alert(3)</script></body>"), "utf-8")
    out = tmp_path / "out"

    result = cli(
        "brief", "-a", "industry", "--format", "html,docx", "--out", out, "--data", repo_root / "data",
        "--templates", templates,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.docx"))) == 1 and len(list(out.glob("*.sources.html"))) == 1
    assert _warnings(result) == [
        f"warning (industry): the HTML brief's templates {WARNED}, removed: onclick attribute ×1, <script> ×1 "
        "(docs/security.md)"
    ]
    assert "<script" not in (next(out.glob("*.sources.html"))).read_text(encoding="utf-8")


def test_markup_in_the_data_is_text_and_warns_nothing(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    statement = dossier.file("facts.yaml")
    anchor = "  - id: framework-ceilings\n    statement: >-\n"
    text = statement.read_text(encoding="utf-8")
    assert text.count(anchor) == 1
    markup = '<script>alert(1)</script> <b onclick="x()">bold</b> <iframe src="https://evil.example/"></iframe>'
    statement.write_text(text.replace(anchor, f"{anchor}      {markup}\n"), encoding="utf-8")
    out = tmp_path / "out"

    result = cli("brief", "-a", "industry", "--format", "html", "--out", out, "--data", dossier.root)

    assert result.exit_code == 0, result.output
    html = (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;iframe" in html, "the statement is not shown"
    assert _warnings(result) == [], result.output


def test_the_shipped_and_fictional_dossiers_lose_nothing(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """Every audience and edition, HTML and Word (which writes the sources page too): the shipped
    templates write nothing the cleaning removes.  (The PDF is made from uncleaned print HTML.)"""
    for name, data in (("shipped", repo_root / "data"), ("fictional", repo_root / "tests/fixtures/fictional")):
        result = cli(
            "brief", "-a", "all", "--lang", "all", "--format", "html,docx", "--out", tmp_path / name, "--data", data
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert list((tmp_path / name).glob("*.sources.html")), f"{name}: no sources page was cleaned"
        assert _warnings(result) == [], result.output


def test_the_kinds_are_bounded_and_never_the_removed_content() -> None:
    """5,000 distinct made-up elements, and escape sequences in an attribute's value and name."""
    bogus = "".join(f"<bogus-{index}-{ESCAPES}>x</bogus-{index}-{ESCAPES}>" for index in range(5000))
    document = f'<p onclick="{ESCAPES} alert(1)" on{ESCAPES}="x" title="{ESCAPES}">kept</p>{bogus}'
    removed = Removed()
    cleaned = inert_html(document, removed)
    assert "kept" in cleaned and "bogus" not in cleaned
    message = removed.message()
    kinds = message.split("removed: ", 1)[1]
    assert kinds.count("×") == SHOWN_KINDS
    assert re.search(r" and over \d+ more kinds \(docs/security\.md\)$", message), message
    assert len(message) < 1000
    # Names only, reduced to [a-z0-9-]: no escape, no value, no other character of the markup.
    assert "onclick attribute ×1" in kinds and "on-2j-0-pwned-31m attribute ×1" in kinds, kinds
    for shown in kinds.split(" and over ")[0].split(", "):
        assert re.fullmatch(r"(<[a-z0-9-]+>|[a-z0-9-]+ attribute) ×\d+", shown), shown
    assert not re.search(r"[^\x20-\x7e×]", message), "a control character reached the message"
    assert "alert" not in message and "title" not in message


def test_the_preview_terminal_names_what_was_removed(repo_root: Path, tmp_path: Path) -> None:
    """``generate serve``, as a real process: the warning is printed with the first build."""
    data = tmp_path / "data"
    shutil.copytree(repo_root / "data", data)
    _override(data / "tpl")
    dossier = data / "dossier.yaml"
    dossier.write_text(dossier.read_text(encoding="utf-8").replace("dossier:\n", "dossier:\n  templates: [tpl]\n", 1))
    output = tmp_path / "output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0", "--data", str(data), "-a", "industry"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        deadline = time.monotonic() + 60
        while "Watching for changes" not in (text := output.read_text(errors="replace")):
            assert process.poll() is None and time.monotonic() < deadline, text
            time.sleep(0.1)
    finally:
        process.kill()
        process.wait()
    warnings = [line for line in text.splitlines() if WARNED in line]
    assert warnings == [
        f"warning (industry): the HTML brief's templates {WARNED}, removed: {EXPECTED} (docs/security.md)"
    ]


def test_malformed_markup_is_read_and_named_without_error() -> None:
    """Markup cut off or malformed in every way the tokenizer meets (Python's html.parser raises
    on ``<![``): the reading ends, the cleaning happens, and what it names is still names only."""
    units = ["<![", "<!", "<?", "</", "</a", "<a ", "<a b='", '<a b="', "<a b=", "<a/", "<!--", "<!-", "<svg><![CDATA["]
    for unit in units:
        for document in (unit, unit * 500, f"<p onclick=x>text</p>{unit * 50}<iframe>", f"<script>{unit * 50}"):
            removed = Removed()
            cleaned = inert_html(document, removed)
            assert "<iframe" not in cleaned and "onclick" not in cleaned and "<script" not in cleaned
            for kind in removed.counts:
                assert re.fullmatch(r"<[a-z0-9-]+>|[a-z0-9-]+ attribute|address in [a-z0-9-]+", kind), (unit, kind)
    removed = Removed()
    inert_html("<p onclick=x>text</p><![> <iframe src=https://evil.example/></iframe>", removed)
    assert list(removed.counts) == ["onclick attribute", "<iframe>"]
