"""The control catalogue: shipped files, sync, edits, exchange and coverage."""
