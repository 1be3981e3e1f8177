"""What a reader gets by copying text out of a PDF brief (poppler's pdftotext, as a viewer copies).

A footnote call must never run into the figure or word before it ("India in 2024" with call 6
must not copy as "2024.6", nor "K2PL" with call 6 as "K2PL6"), and hyphenation must never split
a name or capitalised word at a line end ("By-dgoszcz", "Po-land").  Checked on every brief of
the shipped dossier and of the fictional test dossier.  Where the layout hyphenated a word is
read from the tagged text, where that hyphen is a soft hyphen (on the page it is a hyphen-minus,
which copied text joins back into the word; tests/test_text_layer.py).
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from conftest import pdf_array, pdf_dict, run_cli
from tagged_text import tagged_blocks

ROOT = Path(__file__).resolve().parent.parent
# What the tagged text has where the layout hyphenated a word (render_pdf's text layer).
AUTO_HYPHEN = "\u00ad"


@pytest.fixture(scope="module")
def pdfs(shipped_briefs: Any, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("fictional-pdfs")
    fictional = ROOT / "tests" / "fixtures" / "fictional"
    result = run_cli("brief", "--audience", "all", "--format", "pdf", "--data", fictional, "--out", out)
    assert result.exit_code == 0, result.output
    found = sorted(shipped_briefs.out.glob("*.pdf")) + sorted(out.glob("*.pdf"))
    assert len(found) >= 6
    return found


def _copied(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: run 'bash scripts/setup.sh --test' to install it")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _footnote_calls(path: Path) -> list[tuple[str, str]]:
    """Each footnote call in the pages' drawing order, as (text drawn just before it, call).

    A call is a run of digits set smaller than the text before it and raised above its
    baseline; what precedes it is what a reader selecting the figure would copy with it."""
    calls: list[tuple[str, str]] = []
    for page in pypdf.PdfReader(path).pages:
        runs: list[tuple[str, float, float]] = []  # text, size, baseline y

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, runs: list[Any] = runs) -> None:
            if text:
                scale = abs(tm[3] * cm[3]) or 1.0
                runs.append((text, size * scale, tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
        for (before, size, y), (text, call_size, call_y) in itertools.pairwise(runs):
            call = text.strip("\u202f ")
            if call.isdigit() and call_size < 0.85 * size and call_y > y + 0.5 and before.strip():
                calls.append((before + text[: len(text) - len(text.lstrip("\u202f "))], call))
    return calls


def test_footnote_calls_are_found(pdfs: list[Path]) -> None:
    """The check below can fail: every brief has footnote calls for it to look at."""
    for path in pdfs:
        assert len(_footnote_calls(path)) >= 5, f"{path.name}: footnote calls not found"


def test_no_footnote_call_is_copied_joined_to_the_word_before_it(pdfs: list[Path]) -> None:
    joined = []
    for path in pdfs:
        copied = _copied(path)
        for before, call in _footnote_calls(path):
            word = before.split()[-1][-12:]
            # In the drawing (what a viewer's selection holds) and in pdftotext's copy.
            if not before[-1:].isspace() or re.search(re.escape(word) + call + r"(?!\d)", copied):
                joined.append(f"{path.name}: {word!r} + call {call}")
    assert not joined, "footnote calls copied as part of the word before them:\n" + "\n".join(joined[:20])


def _tagged(path: Path) -> str:
    return "\n".join(block.text for block in tagged_blocks(path))


def test_no_name_or_capitalised_word_is_hyphenated_at_a_line_end(pdfs: list[Path]) -> None:
    broken = []
    for path in pdfs:
        text = _tagged(path)
        # The start of the broken word, at the line end: a name starts with a capital letter.
        for match in re.finditer(rf"(\w+){AUTO_HYPHEN}", text):
            if any(c.isupper() or c.isdigit() for c in match.group(1)):
                broken.append(f"{path.name}: {match.group(1)}{AUTO_HYPHEN}")
    assert not broken, "names split by hyphenation:\n" + "\n".join(broken)


def test_hyphenation_still_works_for_ordinary_words(pdfs: list[Path]) -> None:
    """The counterpart: ordinary words are still hyphenated (the check above is not vacuous)."""
    assert any(re.search(rf"[a-z]{AUTO_HYPHEN}", _tagged(path)) for path in pdfs)


def _reachable(root: Any) -> set[int]:
    """Object numbers of the structure elements the structure tree reaches."""
    seen: set[int] = set()
    stack = list(root["/K"]) if isinstance(root["/K"], list) else [root["/K"]]
    while stack:
        kid = stack.pop()
        if not hasattr(kid, "idnum") or kid.idnum in seen:
            continue
        element = kid.get_object()
        if not isinstance(element, dict) or element.get("/Type", "/StructElem") != "/StructElem":
            continue
        seen.add(kid.idnum)
        kids = element.get("/K", [])
        stack.extend(kids if isinstance(kids, list) else [kids])
    return seen


def test_running_heads_and_feet_are_pagination_artifacts(pdfs: list[Path]) -> None:
    """Running title, marking and "Page n of N" are page furniture: marked as pagination artifacts,
    and every piece of marked content on a page belongs to the document's structure tree."""
    for path in pdfs:
        reader = pypdf.PdfReader(path)
        root = pdf_dict(pdf_dict(reader.trailer["/Root"])["/StructTreeRoot"])
        reachable = _reachable(root)
        nums = pdf_array(pdf_dict(root["/ParentTree"])["/Nums"])
        for number, page in enumerate(reader.pages):
            contents = page.get_contents()
            assert contents is not None, f"{path.name} page {number + 1} draws nothing"
            content = contents.get_data().decode("latin-1")
            artifacts = re.findall(r"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC", content)
            assert len(artifacts) >= 3, f"{path.name} page {number + 1}: margin text is not a pagination artifact"
            parents = nums[2 * number + 1]
            for mcid in map(int, re.findall(r"/MCID\s+(\d+)", content)):
                parent = parents[mcid]
                assert hasattr(parent, "idnum") and parent.idnum in reachable, (
                    f"{path.name} page {number + 1}: marked content {mcid} is outside the structure tree"
                )


def test_the_first_page_copies_no_hidden_running_title(pdfs: list[Path]) -> None:
    """Page 1 prints no running title: nothing invisible carries it (or the marking) into the copied
    text, where it used to mix with the letter-spaced publisher line ("P O L I C Y B R I E F I Korea")."""
    for path in pdfs:
        dossier = ROOT / "data" if path.name.startswith("poland") else ROOT / "tests" / "fixtures" / "fictional"
        info = yaml.safe_load((dossier / "dossier.yaml").read_text(encoding="utf-8"))["dossier"]
        first_page = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True).stdout
        squashed = re.sub(r"\s+", "", first_page).upper()
        publisher = re.sub(r"\s+", "", info["publisher"]).upper()
        lines = [re.sub(r"\s+", "", line).upper() for line in first_page.splitlines()]
        assert publisher in squashed and publisher in lines, f"{path.name}: publisher line mixed with hidden text"
        top = first_page.strip().splitlines()[:3]  # the marking, then the publisher: no running title
        assert not any(info["short_title"] in line for line in top), f"{path.name}: hidden running title on page 1"
