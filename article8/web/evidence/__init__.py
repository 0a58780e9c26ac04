"""Evidence pages."""
