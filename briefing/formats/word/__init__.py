"""The Word edition's parts, in the order a brief passes through them.

- ``tree``: the print HTML read into a small tree (``parse_html``);
- ``inline``: inline content as formatted text, breaks, footnotes and images (``inline_segments``);
- ``wml``: WordprocessingML elements python-docx has no API for (runs, fields, paragraph properties);
- ``images``: charts and pictures as bitmaps Word can show, from data: URLs and the template folders;
- ``styles``: the paragraph and character styles that make the document look like the PDF;
- ``parts``: page, header and footer, footnotes part, document properties, the fixed zip;
- ``writer``: the walk over the tree that writes the document (``Writer``).

``briefing.formats.render_docx.render_docx`` puts them together; the distribution stamp for a
Word copy is ``briefing.distribution.stamp.stamp_docx``.
"""
