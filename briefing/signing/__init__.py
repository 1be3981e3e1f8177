"""Verifiable briefs: the unit's signature, the evidence a PDF carries, and the recipient's check.

``keys``: a throwaway certificate authority and unit certificate for trying signing out.
``sign``: a PAdES signature (pyHanko) on a finished PDF, as an incremental update.
``evidence``: the dossier snapshot embedded in a PDF as its source ("associated files").
``check``: ``generate verify``, part by part (above the build: it selects from the embedded dossier).
``copies``: the recipient's own copies of the sources a brief does not carry, found by SHA-256.

``keys``, ``sign`` and ``evidence`` import nothing above the dossier layer, so that publishing
(``build/editions.py``) and distribution can both use them.
"""
