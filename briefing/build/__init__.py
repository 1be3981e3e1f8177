"""Building briefs: the pipeline, what each audience is told, incremental builds, atomic writes, editions."""
