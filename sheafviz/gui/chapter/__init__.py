"""Views of the chapter's objects (issue 12), each a thin view: plain data in through
``set_*`` methods, intents out as Qt signals; none holds a session, a controller or a window,
and none imports another view module.

* :mod:`.ep_view`: :class:`EPView` — the equilibrium-propagation limit (stiffness slider,
  per-layer table of the scaled sheaf gradient against backprop, gap-versus-γ plot).
* :mod:`.region_items`: :class:`RegionMapItem` — exact activation-region polygons for an
  input plane; :mod:`.rate_limit`: :class:`RateLimiter` (Qt-free) to redraw it while
  training at a bounded rate.
* :mod:`.inverse_items`: :class:`InverseFamilyItem` — the inputs that reach the pins,
  clickable (emits the clicked input).
* :mod:`.phase_view`: :class:`PhaseView` — the heat-flow field in a 2-D slice of the state.
* :mod:`.lesson_bar`: :class:`LessonBar` — a lesson step's caption, large, with Back / Next.

Colours and sizes come from :mod:`.look`, the one module here that reads
:mod:`sheafviz.gui.style`.
"""
