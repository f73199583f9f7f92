"""The network, its sheaf on the path graph, and pins (boundary data)."""
