"""The live preview (`generate serve`)."""
