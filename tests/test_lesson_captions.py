"""Lesson captions as the window shows them: plain-text subscripts become real ones."""

from __future__ import annotations

import re

from sheafviz.gui.chapter_feed import caption_html
from sheafviz.lessons import list_lessons, load_lesson
from sheafviz.lessons.spec import Step


def test_plain_subscripts_are_typeset():
    step = Step("L_free has λ_1 > 0; η_θ/η_c = 0.1; ∇_θ E and d_aff1 ≈ 0.056", "η_θ ≪ η_c",
                (), ())
    shown = caption_html(step)
    for word in ("L<sub>free</sub>", "λ<sub>1</sub>", "η<sub>θ</sub>/η<sub>c</sub>",
                 "∇<sub>θ</sub> E", "d<sub>aff1</sub>"):
        assert word in shown, word
    assert shown.startswith("<b>η<sub>θ</sub> ≪ η<sub>c</sub></b><br>")


def test_no_shipped_caption_shows_a_literal_underscore():
    for info in list_lessons():
        for step in load_lesson(info.name).steps:
            text = re.sub(r"<[^>]+>", "", caption_html(step))  # what the reader sees
            assert "_" not in text, (info.name, text)
