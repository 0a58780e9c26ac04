"""Access checks: the handler register, access-log ingestion and the anomaly rules."""
