"""The responsible person's dashboard."""
