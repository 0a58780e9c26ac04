"""Pages of the provision and receipt records and of the privacy-policy register (issue 17)."""
