"""Property tests of the argument parsers: any text gives a value or the parser's own error
(which the CLI prints as one line), never another exception; valid inputs round-trip."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from sheafviz.cli.args import CLIError, apply_pin_ops, parse_arch
from sheafviz.cli.commands import _parse_size
from sheafviz.core.model.network import NetworkError, validate_arch
from sheafviz.core.model.pins import MAX_PIN_VALUE, PinError, PinSet, parse_pin_spec
from sheafviz.core.model.sheaf import SheafLayout

LAYOUT = SheafLayout([2, 4, 3, 1])
NAMES = LAYOUT.vertex_names

# Text made of the characters pins are written with, plus anything else.
PIN_ALPHABET = st.sampled_from(list("xyza0123456789[]=,.@e-+ ") + ["nan", "inf", "1e308",
                                                                   "9" * 5000, "é", "\x00"])
pin_text = st.one_of(st.text(max_size=40), st.lists(PIN_ALPHABET, max_size=30).map("".join))
number = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-10**20, 10**20).map(str), st.sampled_from(["1e400", "-0", "x"]))


@st.composite
def pin_specs(draw):
    """Pins close to valid: a real vertex, maybe an index, numbers, maybe a stiffness."""
    name = draw(st.sampled_from(NAMES + ["q", ""]))
    index = draw(st.one_of(st.none(), st.integers(-2, 6)))
    target = name if index is None else f"{name}[{index}]"
    values = ",".join(str(v) for v in draw(st.lists(number, min_size=0, max_size=5)))
    soft = draw(st.booleans())
    spec = f"{target}={values}"
    if soft:
        spec += "@" + str(draw(number))
    return spec, soft


def _pin_or_error(timed, spec: str, soft: bool):
    try:
        name, index, values, gamma = timed(parse_pin_spec, LAYOUT, spec, soft=soft)
        ops = [("soft" if soft else "pin", spec)]
        pins = apply_pin_ops(LAYOUT, PinSet(), ops)
    except PinError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    resolved = pins.resolve(LAYOUT)
    values = np.concatenate([resolved.hard_value, resolved.soft_value, resolved.soft_gamma])
    assert np.all(np.isfinite(values)) and np.all(np.abs(values) <= MAX_PIN_VALUE)
    assert np.all(resolved.soft_gamma > 0)
    return pins


@given(pin_text, st.booleans())
def test_pin_parser_on_any_text(timed, text, soft):
    _pin_or_error(timed, text, soft)


@given(pin_specs())
def test_pin_parser_on_near_valid_pins(timed, spec_soft):
    _pin_or_error(timed, *spec_soft)


@given(st.sampled_from(NAMES), st.data())
def test_valid_whole_stalk_pins_round_trip(timed, name, data):
    dim = LAYOUT.vertex(name).dim
    values = data.draw(st.lists(st.floats(-1e6, 1e6), min_size=dim, max_size=dim))
    spec = f"{name}=" + ",".join(repr(v) for v in values)
    pins = _pin_or_error(timed, spec, False)
    assert pins is not None
    assert [pins.hard[(name, i)] for i in range(dim)] == values


arch_text = st.one_of(st.text(max_size=30),
                      st.lists(st.integers(-5, 10**7), max_size=8).map(
                          lambda xs: ",".join(map(str, xs))),
                      st.lists(st.sampled_from(list("0123456789, -+x")), max_size=25).map(
                          "".join))


@given(arch_text)
def test_arch_parser(timed, text):
    try:
        arch = timed(lambda: validate_arch(parse_arch(text)))
    except (CLIError, NetworkError) as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert len(arch) >= 2 and min(arch) >= 1
    assert list(arch) == [int(t) for t in text.split(",")]


size_text = st.one_of(st.text(max_size=20),
                      st.tuples(st.integers(-10, 20000), st.sampled_from("xX×*"),
                                st.integers(-10, 20000)).map(lambda t: f"{t[0]}{t[1]}{t[2]}"))


@given(size_text)
def test_size_parser(timed, text):
    try:
        size = timed(_parse_size, text)
    except CLIError as exc:
        assert "must look like 1280x720" in str(exc)
        return
    w, h = size
    assert 320 <= w <= 10000 and 240 <= h <= 10000
    assert text.lower() == f"{w}x{h}" or text.lower().replace(" ", "") != text.lower() or \
        int(text.lower().partition("x")[0]) == w
