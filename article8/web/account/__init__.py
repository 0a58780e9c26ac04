"""Every user's own account and API tokens."""
