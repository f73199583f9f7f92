"""How the main window's left column splits its height among its panels (issue 11): each
panel first gets its fixed pixels (title, axes, labels), then a share of the rest; the
first panel (the path graph, the main picture in a lecture hall) gets at least the
height it wants for its dots at their own size, up to a cap, taken from the others'
shares (never from their fixed pixels)."""

from __future__ import annotations

#: The most of the column the first panel's wish may take (the drape keeps the rest).
FIRST_CAP = 0.55


def column_sizes(total: float, heads, shares, *, first_wants: float = 0.0,
                 first_cap: float = FIRST_CAP) -> list[int]:
    """Heights of the column's panels, in pixels.

    Parameters
    ----------
    total : float
        The column's height without its splitter handles.
    heads : sequence of float, shape (n,)
        Each panel's fixed pixels.
    shares : sequence of float, shape (n,)
        Each panel's share of what is left after the heads (0: a hidden panel, which
        gets nothing; the others' shares are normalised).
    first_wants : float
        Height the first panel wants (heads included); granted up to
        ``first_cap * total`` when the shares give it less.
    first_cap : float

    Returns
    -------
    list of int, shape (n,)
    """
    heads = [float(h) for h in heads]
    shares = [float(s) for s in shares]
    norm = sum(shares) or 1.0
    rest = max(total - sum(heads), 0.0)
    extra = [rest * s / norm for s in shares]
    want = min(float(first_wants), first_cap * total) - heads[0] - extra[0]
    others = sum(extra[1:])
    if want > 0 and others > 0:
        take = min(want, others)
        extra = [extra[0] + take] + [e * (1 - take / others) for e in extra[1:]]
    return [int(h + e) for h, e in zip(heads, extra)]
