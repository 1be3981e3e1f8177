"""A received dossier must not make the tool read files outside its folder through links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import DossierCopy, run_cli


def test_a_data_file_linking_out_of_the_dossier_is_refused(
    make_dossier: Callable[[], DossierCopy], tmp_path: Path
) -> None:
    dossier = make_dossier()
    secret = tmp_path / "secret.yaml"
    secret.write_text("secret_notes:\n  - the key is 4711-SECRET\n", encoding="utf-8")
    (dossier.root / "extra.yaml").symlink_to(secret)

    result = run_cli("check", "--data", dossier.root)

    assert result.exit_code == 1
    assert "extra.yaml:1:1: links to a file outside the dossier folder; refused" in result.output
    assert "4711-SECRET" not in result.output


def test_an_audience_profile_linking_out_of_the_dossier_is_refused(
    make_dossier: Callable[[], DossierCopy], tmp_path: Path
) -> None:
    dossier = make_dossier()
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((dossier.root / "audiences" / "industry.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (dossier.root / "audiences" / "industry.yaml").unlink()
    (dossier.root / "audiences" / "industry.yaml").symlink_to(outside)
    out = tmp_path / "out"

    result = run_cli("brief", "-a", "ministry", "--data", dossier.root, "--out", out)

    assert result.exit_code == 1
    assert "industry.yaml:1:1: links to a file outside the dossier folder; refused" in result.output
    assert not out.exists()
