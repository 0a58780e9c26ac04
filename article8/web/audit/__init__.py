"""The audit trail pages."""
