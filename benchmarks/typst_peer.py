"""The same brief as Typst markup, for an honest peer comparison of PDF render time.

It carries what our PDF carries for the audience: title block, lead, key points,
every section's claims with a footnote per claim, the programme table, the charts
(the same SVG files), recommendations, questions and the sources list, on A4 with
the marking in header and footer and "Page X of Y", in the same fonts.
"""

from __future__ import annotations

import re
from pathlib import Path

from briefing.build.render import Charts, font_folder
from briefing.formats.render_html import TemplateSet, cite_text
from briefing.view.model import Brief, Claim

_SPECIAL = re.compile(r"([\\#$*_`<>@\[\]~=/+-])")


def esc(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _claim(claim: Claim) -> str:
    note = "; ".join(cite_text(cite) for cite in claim.cites)
    as_of = f" (as of {claim.as_of})" if claim.as_of else ""
    return f"{esc(claim.text)}{esc(as_of)}#footnote[{esc(note)}. \\[{claim.grade}{claim.credibility or ''}\\]]"


def typst_source(brief: Brief, templates: TemplateSet, folder: Path) -> str:
    info, audience = brief.info, brief.audience
    charts = Charts(brief, font_folder(templates))
    marking = esc(audience.marking)
    lines = [
        f'#set document(title: "{info.title}", author: "{info.author}")',
        '#set text(font: "Noto Serif", size: 9.6pt, lang: "en")',
        '#show heading: set text(font: "Noto Sans", fill: rgb("#1f5f8b"))',
        '#set page(paper: "a4", margin: (x: 18mm, y: 22mm),',
        f"  header: [#text(size: 7.5pt)[{esc(info.short_title)} #h(1fr) *{marking}*]],",
        f"  footer: [#text(size: 7.5pt)[*{marking}* #h(1fr) Page #context counter(page).display() of #context counter(page).final().first()]])",
        f'#text(font: "Noto Sans", size: 8pt)[*{esc(info.publisher.upper())}*]',
        "",
        f'#text(size: 20pt, font: "Noto Sans")[*{esc(info.title)}*]',
        "",
        f"Prepared for: {esc(audience.prepared_for)} \\",
        f"Date: {esc(brief.date)} \\",
        f"Handling: {marking}",
        "",
        f"*{esc(audience.purpose)}*",
        "",
        f"== {esc(brief.label('key-points', 'Key points'))}",
        *[f"- {_claim(point)}" for point in brief.key_points],
        "",
        "#outline()",
        "",
    ]
    for view in brief.sections:
        lines += [f"== {esc(view.title)}", ""]
        if view.kind == "programmes":
            lines.append(
                "#table(columns: 6, [*Programme*], [*Ordered*], [*Delivered*], [*Deadline*], [*Ceiling*], [*In Poland*],"
            )
            for row in brief.programmes:
                cells = [
                    row.cells[name].text if row.cells[name] else "—"
                    for name in ("ordered", "delivered", "deadline", "framework-ceiling", "made-in-poland")
                ]  # type: ignore[union-attr]
                note = _claim(row.claim) if row.claim else ""
                lines.append(
                    "  "
                    + ", ".join(
                        [
                            f"[{esc(row.programme.system)}{note[note.find('#footnote') :] if note else ''}]",
                            *[f"[{esc(c)}]" for c in cells],
                        ]
                    )
                    + ","
                )
            lines.append(")")
        elif view.kind == "deliveries":
            chart = charts.deliveries()
            if chart:
                (folder / "deliveries.svg").write_text(chart.svg, encoding="utf-8")
                lines.append(f'#figure(image("deliveries.svg", width: 100%, alt: "{esc(chart.alt)}"))')
        elif view.kind == "comparison":
            for index, comparison in enumerate(view.comparisons):
                chart = charts.comparison(comparison)
                if chart:
                    (folder / f"comparison{index}.svg").write_text(chart.svg, encoding="utf-8")
                    lines.append(f'#figure(image("comparison{index}.svg", width: 100%))')
                lines += [f"- {_claim(claim)}" for claim in comparison.claims]
        elif view.kind == "recommendations":
            for claim in brief.recommendations:
                rec = claim.item
                lines += [
                    f"+ *{esc(claim.text)}* ({esc(rec.priority)} priority) {esc(rec.text)}{_claim(claim)[len(esc(claim.text)) :]}"
                ]  # type: ignore[union-attr]
        elif view.kind == "questions":
            lines += [f"+ {_claim(claim)}" for claim in brief.questions]
        elif view.kind == "threats":
            lines += [
                f"- *{esc(claim.item.holder)}* on {esc(claim.item.threat)}: {_claim(claim)}" for claim in brief.threats
            ]  # type: ignore[union-attr]
        elif view.kind == "divergences":
            lines += [f"- {_claim(claim)}" for claim in brief.divergences]
        else:
            lines += [f"- {_claim(claim)}" for claim in (*view.facts, *view.events)]
        lines.append("")
    lines += ["== Sources", ""]
    for source in brief.sources:
        lines.append(
            f"- {esc(source.title)}, {esc(source.series or source.publisher or '')}: grade {source.reliability}"
        )
    return "\n".join(lines) + "\n"
