"""pyHanko, imported quietly.

pyHanko imports cryptography's DSA module, which warns (``CryptographyDeprecationWarning``) on
import; the tool never makes DSA signatures, and a user should not see a library's notice about
an algorithm they do not use.  Every module of this package imports pyHanko through ``quiet()``.

pyHanko also logs what it finds while validating (a certificate path it cannot build, with the
traceback of its own exception); with no logging configured Python would print that to the
terminal.  The tool reports every such finding in its own words (``check.py``), so pyHanko's log
records go nowhere.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# The loggers of pyHanko and of the certificate validator it uses.
PYHANKO_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


def _silence_logs() -> None:
    for name in PYHANKO_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.propagate = False


@contextmanager
def quiet() -> Iterator[None]:
    _silence_logs()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*DSA.*", category=Warning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pyhanko.*|asn1crypto.*|oscrypto.*")
        yield
