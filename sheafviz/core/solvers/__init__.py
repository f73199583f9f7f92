"""Equilibria: structured fixed-σ solves, the active set with sliding, batches, spectra."""
