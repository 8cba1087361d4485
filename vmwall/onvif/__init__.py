"""The ONVIF adapter: the only package that imports the ONVIF library (onvif-zeep-async) and zeep.

Everything it returns is a vmwall type (`vmwall.model.device`); everything it raises is a
`CameraError`. Import `vmwall.onvif.client` (device queries) or `vmwall.onvif.discovery`
(WS-Discovery) explicitly: this package itself stays cheap to import.
"""

from vmwall.onvif.errors import CameraAuthError, CameraError, CameraProtocolError, CameraUnreachableError

__all__ = ["CameraAuthError", "CameraError", "CameraProtocolError", "CameraUnreachableError"]
