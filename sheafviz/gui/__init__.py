"""The sheafviz GUI (PySide6 + pyqtgraph): :func:`sheafviz.gui.app.run_gui` opens the main
window. Nothing here is imported by ``import sheafviz``; the core stays Qt-free."""
