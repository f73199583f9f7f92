"""What the chapter views show, read off a :class:`sheafviz.Session` (Qt-free).

The chapter's docks and input-plane items (:mod:`sheafviz.gui.chapter`) take plain data;
these functions turn the session's state into that data, so the wiring
(:mod:`sheafviz.gui.chapter_wiring`) only moves it and the tests can compute the same
numbers independently:

* :func:`ep_setting` — the input, target and stiffness of the equilibrium-propagation
  comparison (x hard-pinned, y pinned softly or hard), or why there is none;
* :func:`plane_box` — the box of the input plane the region map and the inverse family
  cover (2-D inputs only);
* :func:`shown_input` — the input whose region is highlighted;
* :func:`inverse_pins` — the pins of an inverse question (y pinned hard, x free), or None;
* :func:`free_coordinates` / :func:`default_pair` — the phase plane's choices;
* :func:`caption_html` / :func:`failure_lines` — a lesson step as the lesson bar shows it.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.pins import PinSet

#: The stiffnesses of the gap-versus-γ curve (the slider's soft range, two per decade).
EP_CURVE_GAMMAS = np.logspace(-4, 2, 13)
#: Half width of the input box around the shown input when there is no data set.
DEFAULT_HALF_WIDTH = 2.0
#: Share of the data's extent added on each side of the box (as the data panel does).
DATA_PAD = 0.08


@dataclass(frozen=True)
class EPSetting:
    """The inputs of :func:`sheafviz.core.diagnostics.ep_gradients` for the session.

    ``x`` (n0,), ``target`` (n_out,) and ``gamma`` (``inf`` for a hard pin) when x is
    hard-pinned and y pinned (softly with one stiffness, or hard); else they are None and
    ``reason`` says what is missing.
    """

    x: np.ndarray | None
    target: np.ndarray | None
    gamma: float | None
    reason: str = ""

    @property
    def ready(self) -> bool:
        return self.x is not None


def _stalk_values(pins: PinSet, name: str, dim: int):
    """(values (dim,), γs (dim,) with inf for hard) of a fully pinned stalk, else None."""
    values, gammas = np.empty(dim), np.empty(dim)
    for i in range(dim):
        if (name, i) in pins.hard:
            values[i], gammas[i] = pins.hard[(name, i)], math.inf
        elif (name, i) in pins.soft:
            values[i], gammas[i] = pins.soft[(name, i)]
        else:
            return None
    return values, gammas


def ep_setting(session) -> EPSetting:
    """The EP comparison's x, target and γ from the session's pins (see :class:`EPSetting`)."""
    lay, pins = session.layout, session.pins
    x = _stalk_values(pins, "x", lay.vertex("x").dim)
    if x is None or not np.all(np.isinf(x[1])):
        return EPSetting(None, None, None, "x must be pinned (hard) to one input.")
    y = _stalk_values(pins, "y", lay.vertex("y").dim)
    if y is None:
        return EPSetting(None, None, None, "Pin y (the slider pins it softly).")
    if len(set(y[1].tolist())) != 1:
        return EPSetting(None, None, None, "y's coordinates have different stiffnesses.")
    return EPSetting(x[0], y[0], float(y[1][0]))


def ep_target(session) -> np.ndarray:
    """The target a stiffness slider pins y to: y's pinned values, else the shown training
    pair's target, else the current value of y."""
    lay, pins = session.layout, session.pins
    y = _stalk_values(pins, "y", lay.vertex("y").dim)
    if y is not None:
        return y[0]
    data = session.data
    if data is not None and len(data.Y):
        return np.asarray(data.Y[session.shown_example], dtype=float).reshape(-1)
    return np.asarray(session.cochain[lay.vertex("y").slice], dtype=float)


def shown_input(session) -> np.ndarray:
    """The input (n0,) of the shown state: the pinned x, else where the state's x is."""
    return np.asarray(session.cochain[session.layout.vertex("x").slice], dtype=float)


def plane_box(session) -> tuple[float, float, float, float] | None:
    """(u_min, u_max, v_min, v_max) of the input plane to map, None unless 2-D inputs.

    With data: its inputs' extent, padded by :data:`DATA_PAD` on each side (the data panel's
    own view). Without: a square of half width max(:data:`DEFAULT_HALF_WIDTH`, 1.5 |x|)
    around the origin, so the shown input is well inside it.
    """
    if session.network.arch[0] != 2:
        return None
    data = session.data
    if data is not None and len(data.X):
        X = np.asarray(data.X, dtype=float)
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = DATA_PAD * np.maximum(hi - lo, 1e-6)
        lo, hi = lo - pad, hi + pad
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
    x = shown_input(session)
    h = max(DEFAULT_HALF_WIDTH, 1.5 * float(np.max(np.abs(x))) if np.all(np.isfinite(x))
            else DEFAULT_HALF_WIDTH)
    return -h, h, -h, h


def inverse_pins(session) -> PinSet | None:
    """The hard pins of an inverse question — y (wholly) hard-pinned, no x coordinate
    pinned — without the soft pins; None when the session does not ask one."""
    lay, pins = session.layout, session.pins
    if any(name == "x" for name, _ in list(pins.hard) + list(pins.soft)):
        return None
    if not pins.stalk_pinned(lay, "y"):
        return None
    return PinSet(dict(pins.hard), {})


def free_coordinates(session) -> list[str]:
    """Every state coordinate that is not hard-pinned, as "z1[0]", left to right."""
    lay, hard = session.layout, session.pins.hard
    return [f"{v.name}[{i}]" for v in lay.vertices for i in range(v.dim)
            if (v.name, i) not in hard]


def default_pair(names: list[str], previous=(None, None)) -> tuple[str, str] | None:
    """The phase plane's (u, v): the previous pair while both stay free, else the first
    hidden z and the next free hidden coordinate (or simply the first two free ones)."""
    if len(names) < 2:
        return None
    if previous[0] in names and previous[1] in names and previous[0] != previous[1]:
        return previous[0], previous[1]
    hidden = [n for n in names if not n.startswith(("x[", "y["))] or names
    u = hidden[0]
    rest = [n for n in hidden if n != u] or [n for n in names if n != u]
    return u, rest[0]


#: A plain-text subscript in a caption: a letter (Latin, Greek, ∇) then ``_`` and a short
#: word, as lessons write L_free, η_θ, d_aff1 or ∇_θ E (the word ends at a space or sign).
_SUBSCRIPT = re.compile(r"(?<=[A-Za-zΑ-Ωα-ω∇])_([A-Za-z0-9α-ω]+)")


def typeset_subscripts(escaped: str) -> str:
    """``escaped`` (HTML-escaped plain text) with ``x_word`` written as x<sub>word</sub>, so
    the window shows real subscripts where the lesson file writes plain text."""
    return _SUBSCRIPT.sub(r"<sub>\1</sub>", escaped)


def caption_html(step) -> str:
    """A lesson step's title and caption as Qt rich text (plain text is escaped, its blank
    lines kept as paragraph breaks and its subscripts typeset; a caption already in rich
    text is kept as it is)."""
    text = step.caption.strip()
    if "<" in text and ">" in text:  # written as rich text
        body = text
    else:
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
        body = "<br><br>".join(typeset_subscripts(html.escape(p)) for p in paragraphs)
    title = (f"<b>{typeset_subscripts(html.escape(step.title))}</b><br>"
             if step.title else "")
    return title + body


def failure_lines(result) -> list[str]:
    """One line per failed claim of a step result: the claim and what was read."""
    return [f"{c.check.label}: {c.detail}" for c in result.checks if not c.ok]
