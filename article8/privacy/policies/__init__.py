"""The privacy-policy and purposes-of-use register (Arts. 17, 18, 21 and 32 of the Act)."""
