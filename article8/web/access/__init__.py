"""Handler register, access-log and anomaly pages."""
