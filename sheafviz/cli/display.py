"""Is there a display the window can open on? Checked before Qt starts, because Qt aborts
the whole process (exit 134, with a misleading message about xcb libraries) when there is
none or when nobody answers on the one named by ``DISPLAY``."""

from __future__ import annotations

import os
import sys


def has_display() -> bool:
    """False on a Linux machine with no X/Wayland display and no Qt platform chosen (Qt
    would abort with a core dump there; say so in one line instead)."""
    if not sys.platform.startswith("linux"):
        return True
    env = os.environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def _x_socket_answers(display: str) -> bool:
    """True when an X server accepts a connection for ``display`` (":0", "host:1.0")."""
    import socket

    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    try:
        if host in ("", "unix") or host.startswith("/"):
            path = host if host.startswith("/") else f"/tmp/.X11-unix/X{number}"
            for address in (path, "\0" + path):  # the file, or Linux's abstract socket
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(2.0)
                    try:
                        sock.connect(address)
                        return True
                    except OSError:
                        continue
            return False
        with socket.create_connection((host, 6000 + int(number)), timeout=2.0):
            return True
    except (OSError, ValueError):
        return False


def unreachable_display() -> str | None:
    """The X display Qt would use when no server answers there, else None (Qt would abort
    the process with a misleading message about xcb libraries)."""
    env = os.environ
    if not sys.platform.startswith("linux") or env.get("WAYLAND_DISPLAY"):
        return None
    if env.get("QT_QPA_PLATFORM", "xcb").split(":")[0] != "xcb" or not env.get("DISPLAY"):
        return None
    return None if _x_socket_answers(env["DISPLAY"]) else env["DISPLAY"]
