"""Output formats: HTML (Jinja2, sandboxed), PDF (WeasyPrint), Word (python-docx), charts, template tools."""
