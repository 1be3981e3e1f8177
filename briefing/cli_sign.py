"""`generate keys` and `generate verify`: parse options, call one library function, report.

Kept apart from ``cli.py`` (registered there with ``main.add_command``) so that pyHanko and
cryptography load only when these commands run.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from briefing.cli_options import reported


@click.command("keys")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write ca.pem and unit.p12 to (new files only; nothing is overwritten).",
)
@click.option(
    "--name",
    default="Briefing unit",
    show_default=True,
    help="The unit's name in the certificate (the colophon of a signed brief prints it).",
)
def keys(out_dir: Path, name: str) -> None:
    """Make a throwaway certificate authority and unit certificate, FOR TRYING SIGNING OUT.

    Writes OUT/ca.pem (the authority's certificate: what a recipient passes to
    'generate verify --trust') and OUT/unit.p12 (the unit's key and certificate, encrypted
    with the passphrase in BRIEFING_SIGN_PASSPHRASE).  The authority's private key is not
    kept.  Nobody else trusts these: real use needs the institution's own certificate
    (see docs/signing.md).

    \b
    Example:
      BRIEFING_SIGN_PASSPHRASE=... generate keys --out /tmp/try-keys
      BRIEFING_SIGN_PASSPHRASE=... generate publish --sign /tmp/try-keys/unit.p12
      generate verify editions/1/briefs/<id>-industry.pdf --trust /tmp/try-keys/ca.pem
    """
    from briefing.signing.keys import make_keys

    with reported():
        written = make_keys(out_dir, os.environ, name)
    click.echo(f"wrote {written.ca} (the trust root to give 'generate verify --trust')")
    valid = f"{written.not_after:%Y-%m-%d}"
    click.echo(f"wrote {written.unit} (key and certificate of {written.subject}, valid to {valid})")
    click.echo(
        "note: these are for trying signing out only; no one else trusts them. Sign real briefs with the "
        "institution's own certificate (docs/signing.md).",
        err=True,
    )


@click.command("verify")
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Certificate (PEM or DER) of an authority you trust for the unit's signature (repeatable).",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The edition's or distribution's manifest.json to find the file in  "
    "[default: one beside the file or up to two folders above it].",
)
@click.option(
    "--sources",
    "sources",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of your own copies of the sources the PDF does not carry (any file names; each is "
    "found by the SHA-256 the brief records).",
)
def verify(pdf: Path, trust: tuple[Path, ...], manifest: Path | None, sources: Path | None) -> None:
    """Check a brief's PDF: its signature, its edition, its quotes and its figures.

    Reports part by part: the signature and its certificate chain (against --trust); that
    the file is the one its edition's manifest lists; that every quote of the dossier the
    PDF carries is found in the source files it carries; that the figures the brief states
    are those of that dossier.  Exit status 0 only when every part holds, 1 otherwise.

    A source whose licence does not let the unit copy it is not in the PDF, only its
    SHA-256: its quotes are reported as not checked.  Put your own copies of such sources
    in a folder, under any names, and give it with --sources: each source's copy is the
    file with the SHA-256 the brief records, and its quotes are checked against it.  A
    file with another SHA-256 (another version) is not used; the report says so.

    \b
    Examples:
      generate verify brief.pdf --trust ca.pem
      generate verify editions/2/briefs/<id>-ministry.pdf --trust ca.pem --manifest editions/2/manifest.json
      generate verify brief.pdf --trust ca.pem --sources ~/Downloads/brief-sources
    """
    from briefing.signing.check import Options, read_trust, verify_file

    with reported():
        report = verify_file(pdf, Options(trust=read_trust(trust), manifest=manifest, sources=sources))
    click.echo(report.text())
    raise SystemExit(0 if report.ok else 1)
