"""Qt-free numerical core of sheafviz (numpy + scipy only)."""
