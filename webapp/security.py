"""Security headers, the CSP nonce and no-store caching."""

import secrets

from flask import Flask, Response, current_app, g, request

# Public files that hold nothing personal; everything else is never cached.
CACHEABLE = frozenset({"static", "symbols.symbol"})


def csp_nonce() -> str:
    """Return this request's CSP nonce."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    """Build the CSP: our own origin only, and scripts or styles inline only with the nonce."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _headers(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), geolocation=(), microphone=(), payment=()"
    if request.endpoint not in CACHEABLE:
        # Pages can carry answers or personal data: never keep them in a cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if current_app.config.get("HEARD_HTTPS"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and the nonce to every template."""
    app.after_request(_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
