"""Strip credentials from URLs and free text before they reach a log line, an error or the UI."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

# Query parameters that carry secrets in camera URLs seen in the field.
SECRET_QUERY_PARAMS = frozenset(
    {"password", "passwd", "pwd", "pass", "token", "auth", "key", "secret", "signature"}
)


def is_secret_param(name: str) -> bool:
    """True when a URL query parameter of this name carries a secret (case-insensitive)."""
    return name.lower() in SECRET_QUERY_PARAMS

# scheme://user:pass@host or scheme://user@host, anywhere in a text.
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """Return ``url`` with any user:password@ replaced and secret query parameters masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_userinfo_crudely(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_param(k) for k, _ in pairs):
            query = urlencode([(k, MASK if is_secret_param(k) else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return url  # nothing secret: leave it exactly as written (sqlite:////abs/path stays intact)
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Redact every URL in ``text`` and every literal secret given (e.g. a password just used)."""
    out = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, MASK)
    return out


def _redact_userinfo_crudely(url: str) -> str:
    return re.sub(r"//[^/@\s]*@", f"//{MASK}@", url)
