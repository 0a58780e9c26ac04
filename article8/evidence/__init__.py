"""The evidence vault and the access-log checks (handler register, ingestion, anomaly rules)."""
