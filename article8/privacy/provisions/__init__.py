"""Third-party provision and receipt records (確認・記録, Arts. 27-31 of the Act)."""
