"""The shipped dossier says only what its seeds say, in their words.

These checks read ``data/`` directly, so they hold whatever the loader does:
every quote is found in the seed it cites, every figure's text is found in a
quote of its own fact, and every figure's value is the number in that text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


def _normalise(text: str) -> str:
    # The seed extraction escapes "$" and uses typographic apostrophes and dashes.
    text = text.replace("\\$", "$").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", "-")
    text = text.replace("\u2013", "-")
    return re.sub(r"\s+", " ", text).strip()


def _load(name: str) -> dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    assert isinstance(loaded, dict)
    return loaded


def _seed_texts() -> dict[str, str]:
    sources = _load("sources.yaml")["sources"]
    return {s["id"]: _normalise((DATA / s["file"]).read_text(encoding="utf-8")) for s in sources}


def _cited_items() -> Iterator[tuple[str, dict[str, Any]]]:
    for filename, key in [
        ("facts.yaml", "facts"),
        ("threats.yaml", "threats"),
        ("threats.yaml", "divergences"),
        ("recommendations.yaml", "recommendations"),
        ("timeline.yaml", "timeline"),
    ]:
        for item in _load(filename).get(key, []):
            yield f"{filename}:{item['id']}", item


def _quote_fragments(quote: str) -> list[str]:
    # A quote may skip words with an ellipsis; each fragment must be verbatim.
    return [part.strip() for part in re.split(r"\s*(?:\u2026|\.\.\.)\s*", _normalise(quote)) if part.strip()]


def test_every_quote_is_verbatim_in_its_seed() -> None:
    seeds = _seed_texts()
    missing = []
    for where, item in _cited_items():
        for cite in item["cites"]:
            seed = seeds[cite["source"]]
            position = 0
            for fragment in _quote_fragments(cite["quote"]):
                found = seed.find(fragment, position)
                if found < 0:
                    missing.append(f"{where}: {fragment!r} not in {cite['source']}")
                    break
                position = found + len(fragment)
    assert not missing, "\n".join(missing)


def _digits(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?", text)


def test_every_figure_is_stated_in_its_quotes_exactly() -> None:
    wrong = []
    for fact in _load("facts.yaml")["facts"]:
        quotes = " ".join(_normalise(c["quote"]) for c in fact["cites"])
        for figure in fact.get("figures", []):
            text = _normalise(figure["text"])
            if text not in quotes:
                wrong.append(f"{fact['id']}: figure text {text!r} is not in its quotes")
            numbers = [float(d.replace(",", "")) for d in _digits(text)]
            if float(figure["value"]) not in numbers:
                wrong.append(f"{fact['id']}: value {figure['value']} is not a number in {text!r}")
    assert not wrong, "\n".join(wrong)


def test_every_seed_is_cited() -> None:
    cited = {c["source"] for _, item in _cited_items() for c in item["cites"]}
    assert cited == set(_seed_texts())


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
