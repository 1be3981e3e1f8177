"""The fast loop's list of slow tests (tests/conftest.py) names tests that exist: a renamed test
must not quietly fall back into `pytest -m "not slow"`, nor a misspelt name mark nothing."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import SLOW_MODULE_FIXTURES, SLOW_MODULES, SLOW_TESTS

TESTS = Path(__file__).resolve().parent


def test_every_test_named_slow_exists() -> None:
    for name in SLOW_TESTS:
        module, function = name.split("::")
        source = TESTS / f"{module}.py"
        assert source.is_file(), f"{name}: no {source.name}"
        assert re.search(rf"^def {function}\(", source.read_text(encoding="utf-8"), re.M), f"{name}: no such test"


def test_every_slow_module_and_fixture_exists() -> None:
    for module in SLOW_MODULES:
        assert (TESTS / f"{module}.py").is_file(), module
    for module, fixture in SLOW_MODULE_FIXTURES:
        text = (TESTS / f"{module}.py").read_text(encoding="utf-8")
        assert re.search(rf"^def {fixture}\(", text, re.M), f"{module} has no fixture {fixture}"
