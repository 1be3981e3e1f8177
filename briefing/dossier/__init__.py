"""The dossier: reading it with positions, its schema, validation, verification against the
sources, and `generate check`."""
