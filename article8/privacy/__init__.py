"""Registers beyond Article 8 (requests, inquiries, provision records, policy versions)."""
