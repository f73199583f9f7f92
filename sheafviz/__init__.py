"""sheafviz: the neural sheaf of a ReLU network, pinned, relaxed and trained.

The public API is Qt-free; the GUI lives in :mod:`sheafviz.gui` and is imported only there.
"""

from .core.network import Network, NetworkError, ForwardPass
from .core.sheaf import SheafLayout
from .core.pins import PinSet, PinError
from .core.solve import Solution, equilibrium, harmonic_extension
from .core.spectrum import SpectrumSummary, spectrum_summary, free_laplacian

__version__ = "0.1.0"

__all__ = [
    "Network", "NetworkError", "ForwardPass", "SheafLayout", "PinSet", "PinError",
    "Solution", "equilibrium", "harmonic_extension",
    "SpectrumSummary", "spectrum_summary", "free_laplacian", "__version__",
]
