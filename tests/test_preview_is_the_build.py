"""The preview serves the brief the build writes: byte for byte, apart from what a preview must add.

A copy of the fictional dossier whose title holds a 90-character address (the HTML brief wraps it
in a ``long-word`` span), with a Polish edition, and an earlier edition published beside it (each
brief says "What has changed since edition 0").  ``generate brief`` writes the briefs;
``generate serve`` (a real server, over HTTP) must answer each page with the same bytes but for its
reload script, whose nonce the page's policy header names, and the brief's own policy ``<meta>``,
which the header replaces.  Each sources page (the passages the notes link to) is served from the
same build.  A PDF and a Word file the preview renders on request are the built ones.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from briefing.formats.sanitize import POLICY_META

REPO = Path(__file__).resolve().parent.parent
FICTIONAL = REPO / "tests" / "fixtures" / "fictional"
DOSSIER_ID = "orm-strait-treaty"
AUDIENCES = ("assembly", "ferry-board", "water-ministry")
# 90 characters with no space and no digit (the translation check compares numbers).
ADDRESS = "https://treaties.example.org/orm-strait/ferry-and-water-treaty/annex-bravo/full-text.html"
RELOAD = re.compile(r'<script nonce="(?P<nonce>[^"]+)">\n\(function \(\) \{.*?</script>', re.S)


def _dossier(root: Path, edition: str, title_suffix: str = "") -> Path:
    folder = root / ("data" if edition == "1" else f"edition-{edition}")
    shutil.copytree(FICTIONAL, folder)
    text = (folder / "dossier.yaml").read_text(encoding="utf-8")
    text = text.replace('  edition: "1"', f'  edition: "{edition}"')
    text = text.replace(
        'the Orm Strait Ferry and Water Treaty"', f'the Orm Strait Ferry and Water Treaty{title_suffix}"'
    )
    (folder / "dossier.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    from conftest import run_cli

    root = tmp_path_factory.mktemp("preview")
    earlier = _dossier(root, "0")
    facts = earlier / "facts.yaml"  # edition 0 lacked one claim the current edition makes
    text = facts.read_text(encoding="utf-8")
    start = text.index("  - id: best-in-a-generation")
    facts.write_text(text[:start] + text[text.index("  - id:", start + 10) :], encoding="utf-8")
    profile = earlier / "audiences" / "water-ministry.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("      - best-in-a-generation\n", ""), "utf-8")
    published = run_cli("publish", "--data", earlier, "--out", root / "earlier-briefs", "--format", "html")
    assert published.exit_code == 0, published.output

    data = _dossier(root, "1", f", {ADDRESS}")
    text = (data / "dossier.yaml").read_text(encoding="utf-8")
    (data / "dossier.yaml").write_text(text.replace("  language: en\n", "  language: en\n  languages: [en, pl]\n"))
    (data / "translations").mkdir()
    polish = (REPO / "tests" / "fixtures" / "fictional-translations" / "pl.yaml").read_text(encoding="utf-8")
    polish = polish.replace('traktat wodny"', f'traktat wodny, {ADDRESS}"', 1)
    (data / "translations" / "pl.yaml").write_text(polish, encoding="utf-8")
    out = root / "briefs"
    for args in (("-a", "all", "--format", "html"), ("-a", "water-ministry", "--format", "pdf,docx")):
        done = run_cli("brief", *args, "--lang", "all", "--data", data, "--out", out)
        assert done.exit_code == 0, done.output
    yield {"data": data, "out": out}


@pytest.fixture(scope="module")
def preview(built: dict[str, Path]) -> Iterator[Callable[[str], tuple[bytes, dict[str, str]]]]:
    command = [sys.executable, str(REPO / "generate.py"), "serve", "--port", "0", "--lang", "all"]
    command += ["--data", str(built["data"])]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
    assert match, f"the preview did not start: {first}"

    def get(path: str) -> tuple[bytes, dict[str, str]]:
        with urllib.request.urlopen(f"http://127.0.0.1:{match.group(1)}{path}", timeout=120) as response:
            return response.read(), dict(response.headers)

    yield get
    process.terminate()
    process.wait(timeout=10)


def _page(audience: str, language: str) -> str:
    return audience if language == "en" else f"{audience}.{language}"


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_page_is_the_built_html(
    built: dict[str, Path], preview: Callable[[str], tuple[bytes, dict[str, str]]], audience: str, language: str
) -> None:
    name = _page(audience, language)
    written = (built["out"] / f"{DOSSIER_ID}-{name}.html").read_text(encoding="utf-8")
    body, headers = preview(f"/{name}.html")
    served = body.decode("utf-8")
    script = RELOAD.search(served)
    assert script is not None, "the preview's reload script is missing"
    assert f"'nonce-{script['nonce']}'" in headers["Content-Security-Policy"]
    # What the preview adds: its script before </body>; what it takes away: the policy <meta>
    # (its header says the same, and lets the script run).
    assert written.count(POLICY_META + "\n") == 1
    assert served == written.replace(POLICY_META + "\n", "", 1).replace("</body>", script[0] + "</body>", 1)
    # The two things the hand-made preview used to lose.
    assert f'<span class="long-word">{ADDRESS}</span>' in served
    changes = "What has changed since edition 0" if language == "en" else "Zmiany od wydania 0"
    assert changes in served


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_documents_on_request_are_the_built_ones(
    built: dict[str, Path], preview: Callable[[str], tuple[bytes, dict[str, str]]], suffix: str
) -> None:
    for language in ("en", "pl"):
        name = _page("water-ministry", language)
        body, _ = preview(f"/{name}.{suffix}")
        assert body == (built["out"] / f"{DOSSIER_ID}-{name}.{suffix}").read_bytes()


def test_the_preview_follows_since(built: dict[str, Path], cli: Callable[..., Result]) -> None:
    """``--since none``, as for ``generate brief``: no change section, and the page is still the build's."""
    from briefing.build.load import load
    from briefing.build.plan import plan_briefs
    from briefing.build.render import render_job
    from briefing.formats.render_html import TemplateSet
    from briefing.preview.serve import Preview

    preview = Preview(built["data"], (), ["assembly"], since="none")
    preview.rebuild()
    assert preview.error is None, preview.error
    page = preview.pages["assembly"]
    assert "What has changed since" not in page
    plan = plan_briefs(load(built["data"], TemplateSet()), ["assembly"], since="none", formats=("html",))
    (job,) = plan.jobs
    rendered = render_job(plan.render_job(job, ("html",)), plan.loaded.templates, Path("."))
    assert page.encode("utf-8") == rendered.files[0].data


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_sources_page_is_the_built_one(
    built: dict[str, Path], preview: Callable[[str], tuple[bytes, dict[str, str]]], audience: str, language: str
) -> None:
    """The note links of a preview page lead to its sources page, served from the same build under
    the name the links use; its link back to the brief works too."""
    name = _page(audience, language)
    stem = f"{DOSSIER_ID}-{name}"
    written = (built["out"] / f"{stem}.sources.html").read_text(encoding="utf-8")
    body, headers = preview(f"/{stem}.sources.html")
    served = body.decode("utf-8")
    script = RELOAD.search(served)
    assert script is not None, "the sources page does not reload with the brief"
    assert f"'nonce-{script['nonce']}'" in headers["Content-Security-Policy"]
    assert served == written.replace(POLICY_META + "\n", "", 1).replace("</body>", script[0] + "</body>", 1)
    # Every note link of the served brief to the page names an anchor the page has.
    page, _ = preview(f"/{name}.html")
    anchors = re.findall(rf'href="{re.escape(stem)}\.sources\.html#([^"]+)"', page.decode("utf-8"))
    assert anchors, "the brief's notes do not link to its sources page"
    for anchor in anchors:
        assert f'id="{anchor}"' in served
    # The page links back to the brief by its file's name: the preview answers that name too.
    assert f'href="{stem}.html#notes"' in served
    back, _ = preview(f"/{stem}.html")
    assert RELOAD.sub("", back.decode("utf-8")) == RELOAD.sub("", page.decode("utf-8"))
