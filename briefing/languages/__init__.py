"""Languages: locale formatting and catalogues, and the translation of a dossier into its editions."""
