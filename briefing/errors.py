"""Errors a user can act on: each problem names its file, line, column and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class BriefingError(Exception):
    """Base class for every error the command line reports without a traceback."""


class DossierError(BriefingError):
    """The dossier (data or profiles) is invalid; carries every problem found."""

    # Past this many, the message lists the first ones and says how many more there are.
    SHOWN = 100

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the dossier:"
        lines = [heading, *(f"  {p}" for p in self.problems[: self.SHOWN])]
        if count > self.SHOWN:
            lines.append(f"  … and {count - self.SHOWN} more (fix these first, or run 'generate check --format json')")
        super().__init__("\n".join(lines))


class TemplateError(BriefingError):
    """A template failed to load or render; the message names the file and line."""


class RenderError(BriefingError):
    """The PDF renderer refused a resource or reported an error."""


class UnknownAudienceError(BriefingError):
    """An audience was asked for that the dossier does not define."""


class BudgetError(BriefingError):
    """A brief is over its page budget and the build was asked to be strict about it."""
