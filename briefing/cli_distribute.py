"""`generate distribute`: parses options, calls ``distribute.distribute``, reports.

Kept apart from ``cli.py`` so that the command is registered there with one line:
``main.add_command(distribute)``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefing.cli_options import data_option, templates_option
from briefing.errors import BriefingError

if TYPE_CHECKING:
    from briefing.distribution.distribute import Options
    from briefing.distribution.mail import Outgoing

# Show a progress bar when sending more messages than this.
PROGRESS_FROM = 5


def _progress(messages: Sequence[Outgoing]) -> AbstractContextManager[Iterable[Outgoing]]:
    if len(messages) <= PROGRESS_FROM:
        return contextlib.nullcontext(messages)
    label = f"sending {len(messages)} messages"
    return click.progressbar(messages, label=label, show_pos=True, file=sys.stderr)


@click.command()
@click.option(
    "--list",
    "list_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/distribution/recipients.yaml"),
    show_default=True,
    help="Distribution list: recipients with name, organisation, audience, email and copies.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("briefs/distribution"),
    show_default=True,
    help="Folder for the stamped copies, manifest.csv/.json, zips and the delivery log.",
)
@click.option(
    "--briefs",
    "briefs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("briefs"),
    show_default=True,
    help="Folder of the audience PDFs (as 'generate brief' writes them); out-of-date ones are rebuilt there.",
)
@data_option
@templates_option
@click.option("--zip", "make_zip", is_flag=True, help="Also bundle each audience's copies into one zip.")
@click.option(
    "--send", is_flag=True, help="Email each recipient their copies (SMTP); copies sent before are not sent again."
)
@click.option(
    "--smtp",
    "smtp_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="SMTP settings file (default: smtp.yaml beside the list). The password comes only from "
    "BRIEFING_SMTP_PASSWORD.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write and send nothing; print what would be written and, with --send, every message that would go.",
)
@click.option(
    "--outdated",
    is_flag=True,
    help="Only list the recipients the delivery log shows with an earlier edition but not the current one; "
    "writes and sends nothing.",
)
@click.option(
    "--sign",
    "certificate",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sign each PDF copy after stamping with the unit's certificate (PKCS#12); its passphrase comes "
    "only from BRIEFING_SIGN_PASSPHRASE.  [default: sign.yaml beside the list, if there is one]",
)
@click.option(
    "--verify",
    "verify_copies",
    is_flag=True,
    help="Only re-check every copy OUT/manifest.json lists (present, unchanged, and for a PDF "
    "'generate verify') and the sources page beside Word copies (present, unchanged); writes and sends nothing.",
)
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --verify: the certificate authority the signatures must lead to (repeatable).  "
    "[default: sign.yaml's trust, else the chain in the unit's own certificate file]",
)
def distribute(
    list_path: Path,
    out_dir: Path,
    briefs_dir: Path,
    data_dir: Path,
    template_dirs: tuple[Path, ...],
    make_zip: bool,
    send: bool,
    smtp_file: Path | None,
    dry_run: bool,
    outdated: bool,
    certificate: Path | None,
    verify_copies: bool,
    trust: tuple[Path, ...],
) -> None:
    """Stamp a copy of the brief for each recipient, write a manifest, and optionally email them.

    Every page of a copy reads "MARKING · Prepared for NAME, ORGANISATION — copy n of N".
    The audience PDFs are rebuilt first only if they are older than the dossier or the
    templates. Nothing is written or sent until the dossier ('generate check' errors), the
    list and the SMTP settings from file and environment all check out.

    A Word copy (formats: [pdf, docx] in the list) whose notes link to the brief's sources
    page (NAME.sources.html) has that page written beside it in OUT/AUDIENCE, listed in the
    manifest, zipped and mailed with it; a PDF copy goes alone.

    With --send, each copy goes to its recipient by email. Settings come from
    smtp.yaml and the environment (BRIEFING_SMTP_HOST, _PORT, _SECURITY, _USER, _FROM;
    the password only from BRIEFING_SMTP_PASSWORD). Every accepted message is recorded
    in OUT/delivery-log.jsonl; after a failure, run the same command again and only the
    rest is sent.

    With --sign (or a sign.yaml beside the list), each PDF copy carries its evidence (the
    dossier and the sources whose licence allows it) and is signed after stamping; the
    manifest says who signed.  --verify re-checks every written copy and sources page.

    \b
    Examples:
      generate distribute --zip
      generate distribute --send --dry-run
      BRIEFING_SMTP_PASSWORD=... generate distribute --send
      generate distribute --list other/recipients.yaml --out /tmp/copies
      generate distribute --outdated     # who has an earlier edition, not this one
      BRIEFING_SIGN_PASSPHRASE=... generate distribute --sign unit.p12
      generate distribute --verify --trust ca.pem
    """
    from briefing.distribution.distribute import Options
    from briefing.formats.render_html import TemplateSet

    options = Options(
        data_dir=data_dir,
        list_path=list_path,
        out_dir=out_dir,
        briefs_dir=briefs_dir,
        templates=TemplateSet(overrides=template_dirs),
        zip=make_zip,
        send=send,
        dry_run=dry_run,
        smtp_file=smtp_file,
        sign=certificate,
    )
    if verify_copies:
        _verify(options, trust)
    elif outdated:
        _list_outdated(options)
    else:
        _distribute(options)


def _distribute(options: Options) -> None:
    """Stamp, write and (if asked) send the copies; warnings to stderr, what happened to stdout."""
    from briefing.distribution.distribute import distribute as run

    try:
        result = run(options, os.environ, _progress)
    except BriefingError as error:
        raise click.ClickException(str(error)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in result.lines():
        click.echo(line)
    if result.sent is not None and not result.sent.complete:
        raise click.ClickException(result.sent.failure_message())


def _list_outdated(options: Options) -> None:
    """``distribute --outdated``: one line per recipient behind the current edition, then their count."""
    from briefing.distribution.distribute import outdated as behind_current

    try:
        edition, behind = behind_current(options)
    except BriefingError as error:
        raise click.ClickException(str(error)) from None
    for recipient in behind:
        click.echo(recipient.line(edition))
    count = len(behind)
    click.echo(f"{count} recipient{'' if count == 1 else 's'} in {options.log_path} not yet sent edition {edition}")


def _verify(options: Options, trust: tuple[Path, ...]) -> None:
    """``distribute --verify``: one line per copy (and sources page), the reasons under one that fails;
    exit 1 if any does."""
    from briefing.distribution.distribute import verify

    try:
        checked = verify(options, trust, os.environ)
    except BriefingError as error:
        raise click.ClickException(str(error)) from None
    for copy in checked:
        click.echo(f"{'ok    ' if copy.ok else 'FAILED'} {copy.file}")
        if not copy.ok:
            for line in copy.lines:
                click.echo(f"         {line}")
    copies = [copy for copy in checked if not copy.page]
    pages = [page for page in checked if page.page]
    summary = f"{sum(copy.ok for copy in copies)} of {len(copies)} copies"
    if pages:
        summary += f" and {sum(page.ok for page in pages)} of {len(pages)} sources page{'s' if len(pages) != 1 else ''}"
    click.echo(f"{summary} verified in {options.out_dir}")
    if not all(copy.ok for copy in checked):
        raise SystemExit(1)
