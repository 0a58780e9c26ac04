"""Inquiries and complaints (苦情・問合せ, 法40条): a register with a first-reply target."""
