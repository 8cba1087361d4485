"""The one import of the ONVIF library, tamed.

``onvif.client`` calls ``logging.basicConfig(level=logging.INFO)`` when imported, which would make
every INFO record of the process print on stderr; a placeholder handler on the root logger during
the import turns that call into a no-op. The transports log whole SOAP envelopes (with the
WS-Security token) at DEBUG: those loggers are capped at WARNING whatever ``-v`` says.
"""

from __future__ import annotations

import logging

_root = logging.getLogger()
_placeholder = logging.NullHandler()
_root.addHandler(_placeholder)
try:
    import onvif  # noqa: F401  (the package __init__ patches zeep; keep it first)
    from onvif.client import ONVIFCamera
    from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError
    from onvif.util import is_auth_error, stringify_onvif_error
    from zeep.exceptions import Fault, TransportError, XMLParseError, XMLSyntaxError
finally:
    _root.removeHandler(_placeholder)

for _name in ("onvif", "zeep"):
    logging.getLogger(_name).setLevel(logging.WARNING)

__all__ = [
    "Fault",
    "ONVIFAuthError",
    "ONVIFCamera",
    "ONVIFError",
    "ONVIFTimeoutError",
    "TransportError",
    "XMLParseError",
    "XMLSyntaxError",
    "is_auth_error",
    "stringify_onvif_error",
]
