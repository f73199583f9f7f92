"""Lecture-hall features (issue 5)."""
