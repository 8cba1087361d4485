"""Tiny XCB helper (ctypes) for seamless surface swaps on X11. A no-op elsewhere or without X.

libVLC's X11 output draws into a child window it creates inside the surface it is given, with a
black background: raising that surface makes the X server paint it black until libVLC draws its
next picture (up to a frame period: a visible black flash, measured at 30 ms). With the child's
background set to None, the X server leaves the pixels that were on screen (the old stream) until
the new picture lands. XCB rather than Xlib: XCB errors are per request, never fatal to the process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import threading
from typing import Any

log = logging.getLogger(__name__)

_CW_BACK_PIXMAP = 1
_BACK_PIXMAP_NONE = 0


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _Connection:
    def __init__(self) -> None:
        xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        xcb.xcb_connect.restype = ctypes.c_void_p
        xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
        xcb.xcb_query_tree.restype = _Cookie
        xcb.xcb_query_tree.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        xcb.xcb_query_tree_reply.restype = ctypes.c_void_p
        xcb.xcb_query_tree_reply.argtypes = [ctypes.c_void_p, _Cookie, ctypes.POINTER(ctypes.c_void_p)]
        xcb.xcb_query_tree_children.restype = ctypes.POINTER(ctypes.c_uint32)
        xcb.xcb_query_tree_children.argtypes = [ctypes.c_void_p]
        xcb.xcb_query_tree_children_length.argtypes = [ctypes.c_void_p]
        xcb.xcb_change_window_attributes_checked.restype = _Cookie
        xcb.xcb_change_window_attributes_checked.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_uint32),
        ]
        xcb.xcb_request_check.restype = ctypes.c_void_p
        xcb.xcb_request_check.argtypes = [ctypes.c_void_p, _Cookie]
        xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
        libc.free.argtypes = [ctypes.c_void_p]
        self._xcb, self._free = xcb, libc.free
        self._conn = xcb.xcb_connect(None, None)
        if not self._conn or xcb.xcb_connection_has_error(self._conn):
            raise OSError("cannot connect to the X server")

    def children(self, window: int) -> list[int]:
        error = ctypes.c_void_p()
        reply = self._xcb.xcb_query_tree_reply(
            self._conn, self._xcb.xcb_query_tree(self._conn, window), ctypes.byref(error)
        )
        if error.value:
            self._free(error)
        if not reply:
            return []
        try:
            count = self._xcb.xcb_query_tree_children_length(reply)
            kids = self._xcb.xcb_query_tree_children(reply)
            return [int(kids[i]) for i in range(count)]
        finally:
            self._free(reply)

    def set_background_none(self, window: int) -> bool:
        value = (ctypes.c_uint32 * 1)(_BACK_PIXMAP_NONE)
        cookie = self._xcb.xcb_change_window_attributes_checked(self._conn, window, _CW_BACK_PIXMAP, value)
        error = self._xcb.xcb_request_check(self._conn, cookie)  # flushes and waits: the change is done
        if error:
            self._free(error)
            return False
        return True


_lock = threading.Lock()
_connection: _Connection | None = None
_unavailable = False


def _get() -> _Connection | None:
    global _connection, _unavailable
    if _connection is None and not _unavailable:
        if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
            _unavailable = True
        else:
            try:
                _connection = _Connection()
            except (OSError, AttributeError) as exc:
                log.info("no XCB connection (%s): surface swaps may flash black for a frame", exc)
                _unavailable = True
    return _connection


def keep_pixels_on_expose(window: int) -> int:
    """Set background None on the child windows of ``window`` (libVLC's); how many were changed."""
    with _lock:
        conn: Any = _get()
        if conn is None:
            return 0
        return sum(1 for kid in conn.children(window) if conn.set_background_none(kid))
