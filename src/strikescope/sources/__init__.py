"""Readers: a file or a download into tidy rows (no store, no analysis)."""
