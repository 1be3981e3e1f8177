"""A page budget is a contract (issue 23): over it, the warning says what takes the room, and
``generate brief --strict`` fails without writing anything."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
from conftest import DossierCopy, run_cli

from briefing.build.budget import over_budget, section_room


def test_section_room_measures_each_section_to_the_next_heading() -> None:
    outline = [("Title", 1, 0.0), ("A", 2, 0.2), ("Sub", 3, 0.5), ("B", 2, 1.7), ("C", 2, 2.0)]
    assert section_room(outline, 3) == [("A", 1.5), ("C", 1.0), ("B", 0.30000000000000004)]
    assert over_budget(3, 3, outline) is None
    message = over_budget(3, 2, outline, shown=2)
    assert message == "the PDF has 3 pages; the profile's page budget is 2 (most room: A (1.5 pages); C (1.0 pages))"


def test_over_budget_warns_and_strict_writes_nothing(make_dossier: Callable[..., DossierCopy], tmp_path: Path) -> None:
    dossier = make_dossier()
    dossier.edit("audiences/industry.yaml", "page_budget: 6", "page_budget: 2")
    out = tmp_path / "out"
    strict = run_cli("brief", "-a", "industry", "--format", "pdf", "--strict", "--out", out, "--data", dossier.root)
    assert strict.exit_code == 1
    assert "page budget exceeded (--strict), nothing written" in strict.output
    assert re.search(
        r"industry: the PDF has \d+ pages; the profile's page budget is 2 \(most room: .+ pages\)", strict.output
    )
    assert not out.exists() or not any(out.iterdir())
    relaxed = run_cli("brief", "-a", "industry", "--format", "pdf", "--out", out, "--data", dossier.root)
    assert relaxed.exit_code == 0
    assert "most room:" in relaxed.output
    assert (out / "poland-south-korea-defence-industry.pdf").is_file()


def test_a_core_profile_puts_the_rest_in_an_annex_on_its_own_page(
    make_dossier: Callable[..., DossierCopy], tmp_path: Path
) -> None:
    dossier = make_dossier()
    dossier.edit("audiences/parliament.yaml", "core:\n  pages: 3", "core:\n  pages: 1")
    out = tmp_path / "out"
    result = run_cli("brief", "-a", "parliament", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"the core \(before 'Annex'\) has \d+ pages; the profile keeps it to 1 \(most room: ", result.output
    )
    reader = pypdf.PdfReader(out / "poland-south-korea-defence-parliament.pdf")
    outline = {item.title: reader.get_destination_page_number(item) for item in _flat(reader.outline)}
    questions, annex, money = outline["Questions for the committee"], outline["Annex"], outline["The money involved"]
    assert questions is not None and annex is not None and money is not None, outline
    # Core sections come before the annex, the others after it; the annex opens a page.
    assert questions < annex <= money
    page_text = reader.pages[annex].extract_text()
    assert page_text.index("Annex") < page_text.index("The money involved")
    html = (out / "poland-south-korea-defence-parliament.html").read_text(encoding="utf-8")
    annex_html = html[html.index('id="annex"') :]
    assert 'class="contents"' in annex_html and 'class="contents"' not in html[: html.index('id="annex"')]


def test_a_core_names_sections_of_its_profile(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier()
    line = dossier.edit(
        "audiences/parliament.yaml",
        "sections: [oversight-questions, delivery-status]",
        "sections: [oversight-questions, delivery-stats]",
    )
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 1
    assert re.search(
        rf"parliament\.yaml:{line}:\d+: core\.sections\[1\]: unknown section 'delivery-stats'", result.output
    )
    assert "did you mean 'delivery-status'" in result.output


def _flat(outline: list[Any]) -> list[Any]:
    items = []
    for item in outline:
        items.extend(_flat(item) if isinstance(item, list) else [item])
    return items
