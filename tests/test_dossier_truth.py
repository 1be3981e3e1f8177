"""The shipped dossier says only what its seeds say, in their words.

The product verifies this (``briefing.dossier.verify``, run by ``generate check`` and every
build): every quote is found in the seed it cites, every figure's text in a quote of its
own fact, every figure's value is the number in that text.  Here we hold the shipped
dossier to it with no exception: no source without a file, and every citation counted
independently from the YAML was verified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.build.load import load
from briefing.dossier.verify import verify_dossier
from briefing.formats.render_html import TemplateSet

DATA = Path(__file__).resolve().parent.parent / "data"


def _load(name: str) -> dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    assert isinstance(loaded, dict)
    return loaded


def _citations() -> list[dict[str, Any]]:
    """Every citation in data/, read straight from the YAML (independently of the loader)."""
    found = []
    for path in sorted(DATA.glob("*.yaml")):
        for value in _load(path.name).values():
            for item in value if isinstance(value, list) else []:
                if isinstance(item, dict):
                    found.extend(item.get("cites", []))
    return found


def test_every_quote_and_figure_is_verified_against_its_seed() -> None:
    # load() raises, listing every problem with file:line, if anything does not verify.
    loaded = load(DATA, TemplateSet())
    verification = verify_dossier(loaded.dossier, loaded.raw.origins, loaded.raw.root)
    assert not verification.problems, "\n".join(map(str, verification.problems))
    # No quote of the shipped dossier may escape verification by citing a source without a file.
    assert verification.unverifiable == []
    assert all(source["file"] for source in _load("sources.yaml")["sources"])
    assert verification.quotes_verified == len(_citations()) > 100


def test_every_seed_is_cited() -> None:
    cited = {cite["source"] for cite in _citations()}
    assert cited == {source["id"] for source in _load("sources.yaml")["sources"]}


@pytest.mark.parametrize(
    ("measure", "values"),
    [
        # The disagreements the seeds README names must both be kept.
        ("deals-2022.value", {16.6, 12.4}),
    ],
)
def test_disagreeing_claims_are_both_kept(measure: str, values: set[float]) -> None:
    found = {
        float(figure["value"])
        for fact in _load("facts.yaml")["facts"]
        for figure in fact.get("figures", [])
        if figure["measure"] == measure
    }
    assert values <= found
