"""The ``generate`` command: parses options, calls one library function, reports.

Domain errors are raised by the library as ``BriefingError`` and become a
``click.ClickException`` here, so users see a message and an exit code, never
a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import BriefingError, UnknownAudienceError

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(click.UsageError):
    """An unknown audience is a mistake in the command line: exit code 2."""


@contextmanager
def _reported() -> Iterator[None]:
    try:
        yield
    except UnknownAudienceError as error:
        raise UsageError(str(error)) from None
    except BriefingError as error:
        raise click.ClickException(str(error)) from None


def _data_option(function: F) -> F:
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data"),
        show_default=True,
        help="Dossier folder to read.",
    )(function)


def _templates_option(function: F) -> F:
    return click.option(
        "--templates",
        "template_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Folder of template overrides, searched before the shipped templates (repeatable).",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="briefing", prog_name="generate")
def main() -> None:
    """Turn a dossier of sourced facts into audience-specific HTML and PDF briefs.

    \b
    Example:
      generate brief --audience industry
    """


@main.command()
@click.option(
    "--audience",
    "-a",
    "audiences",
    multiple=True,
    required=True,
    help="Audience profile to build (repeatable), or 'all'.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "pdf", "both"]),
    default="both",
    show_default=True,
    help="Which files to write.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("briefs"),
    show_default=True,
    help="Folder to write the briefs to.",
)
@_data_option
@_templates_option
def brief(
    audiences: tuple[str, ...], output_format: str, out_dir: Path, data_dir: Path, template_dirs: tuple[Path, ...]
) -> None:
    """Build briefs for one or more audiences.

    \b
    Examples:
      generate brief --audience industry
      generate brief --audience all --format pdf --out /tmp/briefs
      generate brief -a ministry -a parliament --data other-dossier/
    """
    from .pipeline import build_briefs
    from .render_html import TemplateSet

    formats = ("html", "pdf") if output_format == "both" else (output_format,)
    with _reported():
        result = build_briefs(data_dir, out_dir, audiences, formats, TemplateSet(overrides=template_dirs))
    for rendered in result.briefs:
        for output in rendered.files:
            click.echo(f"wrote {output.path}")
        for warning in rendered.warnings:
            click.echo(f"warning ({rendered.audience}): {warning}", err=True)


@main.command()
@_data_option
@_templates_option
@click.option("--strict", is_flag=True, help="Treat warnings (stale figures) as errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as text lines or as one JSON document.",
)
def check(data_dir: Path, template_dirs: tuple[Path, ...], strict: bool, output_format: str) -> None:
    """Validate a dossier and report disagreements, stale figures and grading.

    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error.

    \b
    Examples:
      generate check
      generate check --data other-dossier --strict --format json
    """
    import json

    from .check import run_check
    from .render_html import TemplateSet

    report = run_check(data_dir, TemplateSet(overrides=template_dirs))
    if output_format == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.as_text())
    raise SystemExit(report.exit_code(strict))
