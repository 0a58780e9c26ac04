"""The reporting line and incidents with the PPC leak-report assessment."""
