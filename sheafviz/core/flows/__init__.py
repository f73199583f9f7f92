"""Dynamics: the heat flow, the joint state–parameter flow, optimizers and switching events."""
