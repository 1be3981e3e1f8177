"""`generate new DIR`: a small, commented dossier to start a new topic from.

It holds one source document, three facts quoted from it and one audience, and it
checks clean and builds as written, so an analyst starts from something that works and
replaces it piece by piece.  Every YAML file names its JSON Schema on its first line
(the schemas are written into the dossier's ``schema/`` folder), so an editor with the
YAML language server completes and checks fields from the first keystroke.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from briefing.dossier.schema_export import AUDIENCE_SCHEMA, DOSSIER_SCHEMA, SCHEMA_FOLDER, schema_files, schema_line
from briefing.errors import BriefingError
from briefing.output import OutputFile, write_outputs

SOURCE_FILE = "sources/example-source.md"

SOURCE_TEXT = """\
# Riverside cycling report (an example source, fictional)

Replace this file with a real source document: plain text, Markdown, HTML or PDF.
Every quote in facts.yaml must be found, word for word, in the file its source names.

The Riverside council opened 12 kilometres of protected cycle lanes in 2024.

Cycle trips across the river bridge rose by 18% in the first year after the lanes opened.

The council plans a further 20 kilometres of lanes by 2027.
"""

DOSSIER_YAML = """\
{schema}
# The dossier's identity and vocabularies.  All *.yaml files in this folder are merged by
# their top-level key; audience profiles live in audiences/, one per file.
# 'generate check' validates everything and verifies every quote against its source file.

dossier:
  # Names the output files: <id>-<audience>.html and .pdf.  Lower case, words joined by hyphens.
  id: {dossier_id}
  title: "Riverside cycle lanes (an example dossier)"
  short_title: "Riverside cycle lanes"
  publisher: Policy Briefing Unit
  author: Policy Briefing Unit
  # The brief's date, as precise as you like: "2025", "2025-06" or "2025-06-30" (in quotes).
  date: "{today}"
  edition: "1"
  language: en
  keywords: [cycling, transport]
  # Every tag used by a fact, event, threat or section must be declared here, with its meaning.
  tags:
    transport: Roads, lanes and how people travel
    plans: What the authorities intend to do
"""

SOURCES_YAML = """\
{schema}
# The documents the dossier is built from.  `file` is the document itself, inside this
# folder; `reliability` is the Admiralty grade A (completely reliable) to F (cannot be
# judged), with the reason in one sentence.

sources:
  - id: riverside-report
    file: {source_file}
    title: "Riverside cycling report"
    kind: example report
    date: "2025"
    reliability: B
    reliability_reason: >-
      An example: replace it with what the document itself shows about its origin.
"""

FACTS_YAML = """\
{schema}
# Facts: each statement is cited to a source, with a locator and the source's own words
# (quotes are verified against the source file).  A figure keeps the source's wording in
# `text` and the number in `value`; `measure` names the quantity, so that two sources'
# figures for the same quantity can be compared.

facts:
  - id: lanes-opened
    statement: The Riverside council opened 12 kilometres of protected cycle lanes in 2024.
    figures:
      - measure: lanes.opened
        value: 12
        unit: kilometres
        text: "12 kilometres"
        as_of: "2024"
        # A number that cannot go out of date (what was opened in 2024) is not dated again.
        changes_over_time: false
    tags: [transport]
    credibility: 2
    cites:
      - source: riverside-report
        locator: "para. 1"
        quote: The Riverside council opened 12 kilometres of protected cycle lanes in 2024.

  - id: bridge-trips
    statement: Cycle trips across the river bridge rose by 18% in the first year after the lanes opened.
    figures:
      - measure: bridge.trips-growth
        value: 18
        unit: percent
        text: "18%"
        as_of: "2025"
    tags: [transport]
    credibility: 2
    cites:
      - source: riverside-report
        locator: "para. 2"
        quote: Cycle trips across the river bridge rose by 18% in the first year after the lanes opened.

  - id: lanes-planned
    statement: The council plans a further 20 kilometres of lanes by 2027.
    figures:
      - measure: lanes.planned
        value: 20
        unit: kilometres
        text: "20 kilometres"
        as_of: "2025"
    tags: [transport, plans]
    credibility: 2
    cites:
      - source: riverside-report
        locator: "para. 3"
        quote: The council plans a further 20 kilometres of lanes by 2027.
"""

AUDIENCE_YAML = """\
{schema}
# An audience profile: who the brief is for, what it shows them and how strict it is
# about sources.  Add another file in this folder for another audience.

id: council
name: Council transport committee
prepared_for: Members of the council's transport committee
purpose: >-
  This brief sets out what the cycle lanes opened so far have changed and what
  the council plans next.
marking: "TLP:CLEAR"
page_budget: 4
# Claims whose best source is graded below this are marked "Unconfirmed" (or, with
# below_min_reliability: omit, left out).
min_reliability: C
below_min_reliability: mark
# Three to five ids of facts (or threats, divergences, recommendations) for the key-points box.
key_points: [lanes-opened, bridge-trips, lanes-planned]
# Each section names a kind (a template in templates/sections/) and what it shows:
# facts by id, or by tags; `measures` for a comparison of what each source states.
sections:
  - kind: facts
    id: so-far
    title: What has changed so far
    facts: [lanes-opened, bridge-trips]
  - kind: facts
    id: plans
    title: What the council plans
    tags: [plans]
"""


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "new-dossier"


def new_dossier(folder: Path, today: datetime.date | None = None) -> list[Path]:
    """Write the example dossier into ``folder`` (new or empty); returns the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BriefingError(f"{folder} is not an empty folder: 'generate new' only writes into a new or empty one")
    date = (today or datetime.date.today()).isoformat()
    root = folder
    dossier_schema = schema_line(root / "dossier.yaml", root, DOSSIER_SCHEMA)
    audience_schema = schema_line(root / "audiences" / "council.yaml", root, AUDIENCE_SCHEMA)
    files = {
        "dossier.yaml": DOSSIER_YAML.format(schema=dossier_schema, dossier_id=_slug(folder.resolve().name), today=date),
        "sources.yaml": SOURCES_YAML.format(schema=dossier_schema, source_file=SOURCE_FILE),
        "facts.yaml": FACTS_YAML.format(schema=dossier_schema),
        "audiences/council.yaml": AUDIENCE_YAML.format(schema=audience_schema),
        SOURCE_FILE: SOURCE_TEXT,
    }
    outputs = [OutputFile(root / name, text.encode("utf-8")) for name, text in files.items()]
    outputs += [OutputFile(root / SCHEMA_FOLDER / name, body) for name, body in schema_files().items()]
    write_outputs(outputs, within=folder)
    return [output.path for output in outputs]
