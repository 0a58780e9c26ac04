"""The control catalogue pages."""
