"""Where the files shipped with the tool are: the templates (with their static files and fonts)
and the message catalogues.

Both are found through ``importlib.resources``, inside the installed package. A wheel carries
the templates as ``briefing/templates`` (``pyproject.toml`` maps the repository's top-level
``templates/`` there). A source checkout, and the editable install ``scripts/setup.sh`` makes,
has no such folder inside the package: it reads ``templates/`` at the top of the checkout, so an
edit to a shipped template shows at once.

If the templates are missing the installation is broken, and the error says so rather than
blaming the user's dossier for section kinds it cannot find.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from briefing.errors import BriefingError

# The file every copy of the shipped templates has (the frame of every brief).
TEMPLATES_MARKER = "base.html"


class BrokenInstallError(BriefingError):
    """A file the package ships is missing: the installation is at fault, not the user's input."""


def package_folder() -> Path:
    """The folder of the installed ``briefing`` package."""
    return Path(str(files("briefing"))).resolve()


def shipped_templates(package: Path | None = None) -> Path:
    """The shipped templates folder: ``templates`` inside the package (a wheel), else the one at
    the top of the source checkout the package sits in.  Never raises: a missing folder is
    reported where templates are first listed (``missing_templates_error``)."""
    package = package or package_folder()
    inside = package / "templates"
    checkout = package.parent / "templates"
    # Only a checkout has pyproject.toml beside the package: in site-packages, a stray top-level
    # "templates" folder of another distribution must never stand in for ours.
    if not inside.is_dir() and (package.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return inside


def locale_folder() -> Path:
    """The message catalogues (``<lang>/LC_MESSAGES/messages.mo``), package data in every install."""
    return package_folder() / "locale"


def missing_templates_error(folder: Path) -> BrokenInstallError:
    return BrokenInstallError(
        f"the shipped templates are missing (no {TEMPLATES_MARKER} in {folder}): this installation of "
        "briefing is broken, not your dossier; reinstall it (pip install --force-reinstall briefing)"
    )
