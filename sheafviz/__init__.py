"""sheafviz: the neural sheaf of a ReLU network, pinned, relaxed and trained.

The public API is Qt-free (numpy + scipy); the GUI lives in :mod:`sheafviz.gui` and is
imported only there.
"""

from .core.network import ForwardPass, Network, NetworkError
from .core.sheaf import SheafLayout, discords, energy
from .core.pins import PinError, PinSet
from .core.solve import Solution, equilibrium, harmonic_extension
from .core.spectrum import SpectrumSummary, free_laplacian, spectrum_summary
from .core.heat import FlowDivergedError, HeatFlow, UnstableStepError, relax
from .core.training import JointFlow
from .core.datasets import DataError, Dataset, load_data_file, load_dataset
from .core.presets import DEFAULT_PRESET, Preset, PresetError, list_presets, load_preset
from .core.session import Session, SessionError, load_session, save_session

__version__ = "0.1.0"

__all__ = [
    "ForwardPass", "Network", "NetworkError", "SheafLayout", "discords", "energy",
    "PinError", "PinSet", "Solution", "equilibrium", "harmonic_extension",
    "SpectrumSummary", "free_laplacian", "spectrum_summary",
    "FlowDivergedError", "HeatFlow", "UnstableStepError", "relax", "JointFlow",
    "DataError", "Dataset", "load_data_file", "load_dataset",
    "DEFAULT_PRESET", "Preset", "PresetError", "list_presets", "load_preset",
    "Session", "SessionError", "load_session", "save_session", "__version__",
]
