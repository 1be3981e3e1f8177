"""Options and error handling shared by the `generate` commands.

Domain errors are raised by the library as ``BriefingError``; ``reported()`` turns
them into click errors at the edge, so users see a message and an exit code,
never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from briefing.errors import BriefingError, UnknownAudienceError

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(click.UsageError):
    """An unknown audience is a mistake in the command line: exit code 2."""


@contextmanager
def reported() -> Iterator[None]:
    try:
        yield
    except UnknownAudienceError as error:
        raise UsageError(str(error)) from None
    except BriefingError as error:
        raise click.ClickException(str(error)) from None


def data_option(function: F) -> F:
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data"),
        show_default=True,
        help="Dossier folder to read.",
    )(function)


def templates_option(function: F) -> F:
    return click.option(
        "--templates",
        "template_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Folder of template overrides, searched before the shipped templates (repeatable).",
    )(function)


def lang_option(function: F) -> F:
    return click.option(
        "--lang",
        "languages",
        multiple=True,
        metavar="LANG",
        help="Edition language to build (repeatable), or 'all': one of the dossier's languages "
        "(dossier.languages).  [default: the original]",
    )(function)
