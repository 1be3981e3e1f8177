"""Amounts of money in a second currency, at a rate the dossier states and cites.

A profile may ask for another currency (``currency: PLN``): a Polish reader thinks in złoty.  An
amount is then shown beside its original ("$2.5 billion (approx. 9.4 billion PLN)"), converted at a
rate the dossier records as a figure of its own (measure ``fx.usd.pln``: PLN per 1 USD), with its
source and date, so the brief can say which rate it used.  Never without a sourced rate: where
the dossier has none, validation says so and nothing is converted.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.dossier.schema import Dossier, Fact, Figure
from briefing.languages.i18n import split_unit


def rate_measure(source_currency: str, target_currency: str) -> str:
    """The measure of the figure giving ``target_currency`` per 1 ``source_currency``: ``fx.usd.pln``."""
    return f"fx.{source_currency.lower()}.{target_currency.lower()}"


def currency_of(figure: Figure) -> str | None:
    """The ISO currency code of an amount ("USD billion" -> "USD"); None for a figure that is not money
    (and for an exchange rate itself, which is converted by nobody)."""
    if figure.measure.startswith("fx."):
        return None
    currency, _, percent, _ = split_unit(figure.unit)
    return None if percent else currency


def currencies_used(dossier: Dossier) -> set[str]:
    """Every currency the dossier's amounts are stated in."""
    return {code for fact in dossier.facts for figure in fact.figures if (code := currency_of(figure))}


@dataclass(frozen=True)
class Rate:
    """``value`` units of ``target`` per 1 of ``source``, as a fact states it (for the note)."""

    source: str
    target: str
    value: float
    figure: Figure
    fact: Fact


def find_rate(dossier: Dossier, source_currency: str, target_currency: str) -> Rate | None:
    """The dossier's rate from one currency to another (the newest if it states several)."""
    measure = rate_measure(source_currency, target_currency)
    found = [(figure, fact) for fact in dossier.facts for figure in fact.figures if figure.measure == measure]
    if not found:
        return None
    figure, fact = max(found, key=lambda pair: pair[0].as_of or "")
    return Rate(source_currency, target_currency, float(figure.value), figure, fact)


@dataclass(frozen=True)
class Converted:
    """An amount in the second currency: the figure's value times the rate, in the figure's scale."""

    value: float
    unit: str  # the figure's unit with the currency replaced ("PLN billion")
    rate: Rate


def convert(figure: Figure, rate: Rate) -> Converted:
    """``figure`` in the rate's target currency.  Rounded to the precision the original states, at
    least one decimal: converting $16.6 billion must not suggest a precision the source lacks."""
    places = max(1, _decimals(float(figure.value)))
    value = round(float(figure.value) * rate.value, places)
    unit = " ".join(rate.target if word == rate.source else word for word in figure.unit.split())
    return Converted(value, unit, rate)


def _decimals(value: float) -> int:
    text = f"{value:.10g}"
    return len(text.split(".")[1]) if "." in text else 0
