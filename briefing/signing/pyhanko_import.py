"""pyHanko, imported quietly.

pyHanko imports cryptography's DSA module, which warns (``CryptographyDeprecationWarning``) on
import; the tool never makes DSA signatures, and a user should not see a library's notice about
an algorithm they do not use.  Every module of this package imports pyHanko through ``quiet()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*DSA.*", category=Warning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pyhanko.*|asn1crypto.*|oscrypto.*")
        yield
