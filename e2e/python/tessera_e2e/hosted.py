"""Reaching a pool's domain and its hosted pages from Python, as a browser-less client.

Browsers resolve every `*.localhost` name to loopback (RFC 6761 §6.3); Python's resolver
does not, so `resolve_localhost_subdomains()` teaches this process the same rule. `Browser`
is a requests session that follows the hosted pages as a person would: it reads each page's
form (hidden fields included, such as the CSRF token) and posts it back with what it types.
"""

from __future__ import annotations

import socket
import urllib.parse
from html.parser import HTMLParser

import requests

_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


def resolve_localhost_subdomains() -> None:
    socket.getaddrinfo = _getaddrinfo


def domain_url(server, prefix: str) -> str:
    """The base URL of the pool domain `prefix` on `server` (default base domain)."""
    port = urllib.parse.urlsplit(server.url).port
    return f"http://{prefix}.auth.localhost:{port}"


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "method": attrs.get("method", "get").lower(),
                               "fields": {}})
        elif tag in ("input", "button") and self.forms and attrs.get("name"):
            kind = attrs.get("type", "text")
            if tag == "button" or kind in ("submit", "checkbox", "radio"):
                return
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """A cookie-keeping session that does not follow redirects by itself."""

    def __init__(self):
        self.session = requests.Session()

    def get(self, url: str, **kw) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=10, **kw)

    def follow(self, response: requests.Response, stop_at: str | None = None, limit: int = 10) -> requests.Response:
        """Follows redirects until a page answers, or until the location starts with `stop_at`
        (the app's callback, which no server answers in these tests)."""
        for _ in range(limit):
            if response.status_code not in (301, 302, 303, 307):
                return response
            location = urllib.parse.urljoin(response.url, response.headers["Location"])
            if stop_at and location.startswith(stop_at):
                return response
            response = self.get(location)
        raise AssertionError("too many redirects")

    def submit(self, page: requests.Response, values: dict, form_index: int = 0) -> requests.Response:
        """Posts the page's form with its hidden fields and `values` (matched to field names
        by substring: {"password": …} fills the field whose name contains "password")."""
        form = forms(page.text)[form_index]
        fields = dict(form["fields"])
        for key, value in values.items():
            names = [n for n in fields if key.lower() in n.lower()] or [key]
            fields[names[0]] = value
        action = urllib.parse.urljoin(page.url, form["action"] or page.url)
        return self.session.post(action, data=fields, allow_redirects=False, timeout=10)


def callback_params(response: requests.Response) -> dict:
    """The query (or fragment) parameters of a redirect to the app's callback."""
    location = response.headers["Location"]
    parts = urllib.parse.urlsplit(location)
    return dict(urllib.parse.parse_qsl(parts.query or parts.fragment))
