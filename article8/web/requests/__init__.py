"""Pages of the request and inquiry registers (issue 16)."""
