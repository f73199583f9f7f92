"""sheafviz: the neural sheaf of a ReLU network, pinned, relaxed and trained.

The public API is Qt-free (numpy + scipy); the GUI lives in :mod:`sheafviz.gui` and is
imported only there. ``sheafviz.Viewer`` and ``sheafviz.run`` (the scriptable window) are
loaded on first use, so ``import sheafviz`` never imports Qt.
"""

from sheafviz.core.model.network import ForwardPass, Network, NetworkError
from sheafviz.core.model.sheaf import SheafLayout, discords, energy
from sheafviz.core.model.pins import PinError, PinSet
from sheafviz.core.solvers.solve import Solution, equilibrium, harmonic_extension
from sheafviz.core.solvers.spectrum import SpectrumSummary, free_laplacian, spectrum_summary
from sheafviz.core.flows.heat import FlowDivergedError, HeatFlow, UnstableStepError, relax
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.data.datasets import DataError, Dataset, load_data_file, load_dataset
from sheafviz.core.data.presets import DEFAULT_PRESET, Preset, PresetError, list_presets, load_preset
from sheafviz.core.data.session_file import SessionFile, SessionError, load_session, save_session
from sheafviz.session import Session

__version__ = "0.1.0"

__all__ = [
    "ForwardPass", "Network", "NetworkError", "SheafLayout", "discords", "energy",
    "PinError", "PinSet", "Solution", "equilibrium", "harmonic_extension",
    "SpectrumSummary", "free_laplacian", "spectrum_summary",
    "FlowDivergedError", "HeatFlow", "UnstableStepError", "relax", "JointFlow",
    "DataError", "Dataset", "load_data_file", "load_dataset",
    "DEFAULT_PRESET", "Preset", "PresetError", "list_presets", "load_preset",
    "SessionFile", "SessionError", "load_session", "save_session", "Session", "__version__",
]

#: Names loaded from :mod:`sheafviz.gui.viewer` on first use (they import Qt).
_LAZY_GUI = ("Viewer", "run", "process_events")


def __getattr__(name: str):
    if name in _LAZY_GUI:
        from sheafviz.gui import viewer

        return getattr(viewer, name)
    raise AttributeError(f"module 'sheafviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_GUI))
