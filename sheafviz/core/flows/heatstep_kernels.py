"""numba kernel of the compiled heat step (imported only by ``heatstep.CompiledHeatSteps``).

One cochain ``c`` in the layout of :class:`~sheafviz.core.model.sheaf.SheafLayout`;
weights row-major in the flat ``W`` (layer l from ``woff[l]``), biases in ``b`` (from
``boff[l]``). ``free`` is 0.0 on hard-pinned coordinates (their gradient is zeroed and
they never move), ``gamma``/``target`` the soft pins (γ = 0 elsewhere).
"""

from __future__ import annotations

import numba


@numba.njit(cache=True)
def _gradient(c, g, W, b, arch, woff, boff, prev_off, z_off, y_off, free, gamma, target):
    """∇(E + soft penalty) at ``c`` into ``g`` (hard entries zeroed); returns E."""
    g[:] = 0.0
    e = 0.0
    L = arch.shape[0] - 1
    for l in range(L):
        nin, nout, p0, z0 = arch[l], arch[l + 1], prev_off[l], z_off[l]
        for i in range(nout):
            r = b[boff[l] + i]
            row = woff[l] + i * nin
            for k in range(nin):
                r += W[row + k] * c[p0 + k]
            r -= c[z0 + i]                     # ρ = W a + b − z
            g[z0 + i] -= r
            for k in range(nin):
                g[p0 + k] += r * W[row + k]
            e += r * r
    for l in range(L - 1):
        z0, a0 = z_off[l], prev_off[l + 1]
        for i in range(arch[l + 1]):
            z = c[z0 + i]
            on = z >= 0.0
            q = c[a0 + i] - (z if on else 0.0)  # a − relu(z)
            g[a0 + i] += q
            if on:
                g[z0 + i] -= q
            e += q * q
    zo = z_off[L - 1]
    for i in range(arch[L]):
        r = c[y_off + i] - c[zo + i]
        g[y_off + i] += r
        g[zo + i] -= r
        e += r * r
    for j in range(c.shape[0]):
        g[j] = (g[j] + gamma[j] * (c[j] - target[j])) * free[j]
    return 0.5 * e


@numba.njit(cache=True)
def heat_steps(n, c, g, W, b, arch, woff, boff, prev_off, z_off, y_off, free, gamma, target,
               z_index, sign, step_size, alpha, tol, pending, record_every, steps0, energies,
               out):
    """Up to ``n`` Euler steps ``c ← c − αΔt ∇`` in place. Stops after a step that flips a
    hidden z against ``sign`` (status 1) or has velocity ``α max|∇| < tol`` (status 2).

    The energy is recorded only when asked: E of the starting state if ``pending``, and of
    every state reached at a step count ``steps0 + s`` that is a multiple of
    ``record_every``, comes with the next gradient and goes to ``energies`` in order (the
    last such state stays pending if the call ends on it). ``out`` = [velocity of the last
    step, number of energies written, 1.0 if a state is left pending].
    Returns (steps taken, status)."""
    n_e = 0
    status = 0
    done = n
    for s in range(n):
        e = _gradient(c, g, W, b, arch, woff, boff, prev_off, z_off, y_off, free, gamma,
                      target)
        if pending:
            energies[n_e] = e
            n_e += 1
        vmax = 0.0
        for j in range(c.shape[0]):
            v = abs(g[j])
            if v > vmax or v != v:  # NaN wins, as in np.max
                vmax = v
            c[j] -= step_size * g[j]
        pending = (steps0 + s + 1) % record_every == 0
        for t in range(z_index.shape[0]):
            if (c[z_index[t]] >= 0.0) != sign[t]:
                status = 1
                break
        if status == 0 and alpha * vmax < tol:
            status = 2
        if status != 0:
            done = s + 1
            break
    out[0] = alpha * vmax
    out[1] = n_e
    out[2] = 1.0 if pending else 0.0
    return done, status
