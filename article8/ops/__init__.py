"""Operations: backup and restore (a composition layer above the domain packages)."""
