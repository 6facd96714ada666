"""A small GitHub REST client on httpx: timeouts, bounded retries, pagination, one-line errors.

httpx gives timeouts, connection reuse and typed responses; its transport retries only failed
connections, so the loop here adds the status-based retries GitHub needs: 5xx with exponential
backoff, and rate limiting (429, or 403 with the rate-limit headers or message), waiting for
Retry-After or X-RateLimit-Reset. A wait longer than `max_wait` fails at once, naming the time
to try again, instead of hanging a CI job. POST is not retried on 5xx: the request may have been
applied, and running the command again finds the ruleset by name.

The token is sent only in the Authorization header, only to the configured API origin (a
pagination or redirect link elsewhere gets no token), never over plain http except to loopback,
and never appears in a message.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from pipelinegen import __version__
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.core.redact import redact

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD"}
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


class GitHubError(PipelinegenError):
    """GitHub refused or failed a request; `status` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, hint: str = "", *, status: int = 0,
                 github_message: str = "") -> None:
        super().__init__(message, hint)
        self.status = status
        self.github_message = github_message


@dataclass(frozen=True)
class Access:
    """What a request needs, named in the 403 message: a fine-grained permission, a scope."""

    permission: str  # e.g. 'repository permission "Administration" (read)'
    scope: str = "repo"  # the classic token scope


READ_METADATA = Access('repository permission "Metadata" (read)')
READ_ADMIN = Access('repository permission "Administration" (read), and admin access to the'
                    " repository")
WRITE_ADMIN = Access('repository permission "Administration" (read and write), and admin'
                     " access to the repository")


class GitHub:
    def __init__(self, api_url: str, token: str, *, timeout: float = 15.0, attempts: int = 5,
                 backoff: float = 1.0, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.api_url = api_url.rstrip("/")
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise PipelinegenError(f"--api-url {api_url!r} is not an http(s) URL",
                                   "e.g. https://api.github.com or https://HOST/api/v3")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise PipelinegenError(f"refusing to send the token over plain http to"
                                   f" {parts.hostname}", "use an https:// API URL")
        if not (token.isascii() and token.isprintable()) or any(c.isspace() for c in token):
            raise PipelinegenError("the GitHub token holds characters no token has (non-ASCII,"
                                   " spaces or control characters)",
                                   "copy the token again, exactly, into GITHUB_TOKEN or GH_TOKEN")
        self._token = token
        self._origin = _origin(self.api_url)
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self._http = httpx.Client(
            timeout=timeout,
            follow_redirects=True,  # httpx drops Authorization when a redirect leaves the origin
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "User-Agent": f"pipelinegen/{__version__}",
                "X-GitHub-Api-Version": API_VERSION,
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests ------------------------------------------------------------------------------

    def get(self, path: str, access: Access = READ_METADATA) -> Any:
        return _json(self.request("GET", path, access=access), f"GET {path}")

    def get_all(self, path: str, access: Access = READ_METADATA,
                params: dict[str, str] | None = None, key: str | None = None) -> list[Any]:
        """Every item of a paginated list, following the Link header's rel="next"; `key` names
        the list in each page's object where GitHub wraps it (e.g. "workflow_runs")."""
        items: list[Any] = []
        url: str | None = f"{self.api_url}{path}"
        query: dict[str, str] | None = {"per_page": "100", **(params or {})}
        while url is not None:
            response = self.request("GET", url, access=access, params=query, shown=path)
            page = _json(response, f"GET {path}")
            if key is not None and isinstance(page, dict):
                page = page.get(key)
            if not isinstance(page, list):
                raise GitHubError(f"GET {path}: expected a list from GitHub, got"
                                  f" {type(page).__name__}", status=response.status_code)
            items.extend(page)
            url = response.links.get("next", {}).get("url")
            query = None  # the next link carries the query
            if url is not None and not self._same_origin(url):
                raise GitHubError(f"GET {path}: GitHub's next-page link leaves {self.api_url}",
                                  "check --api-url")
        return items

    def send(self, method: str, path: str, body: dict[str, Any], access: Access) -> Any:
        response = self.request(method, path, access=access, json=body)
        return _json(response, f"{method} {path}") if response.content else None

    def request(self, method: str, target: str, *, access: Access,
                params: dict[str, str] | None = None, json: Any = None,
                shown: str | None = None) -> httpx.Response:
        """One request, retried on 5xx and rate limits; raises GitHubError on any other error."""
        try:
            return self._request(method, target, access=access, params=params, json=json,
                                 shown=shown or target)
        except GitHubError as exc:  # the server's words may echo the token: never show it
            raise GitHubError(redact(exc.message, self._token), redact(exc.hint, self._token),
                              status=exc.status,
                              github_message=redact(exc.github_message, self._token)) from None

    def _request(self, method: str, target: str, *, access: Access,
                 params: dict[str, str] | None, json: Any, shown: str) -> httpx.Response:
        url = target if target.startswith(("http://", "https://")) else self.api_url + target
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = self._http.request(method, url, params=params, json=json)
            except httpx.TooManyRedirects:
                raise GitHubError(f"{method} {shown}: {self.api_url} redirected too many times"
                                  " (a redirect loop)", "check --api-url: it must be the REST"
                                  " API root, e.g. https://HOST/api/v3") from None
            except (httpx.DecodingError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise GitHubError(f"{method} {shown}: unusable answer from {self.api_url}"
                                  f" ({type(exc).__name__})", "check --api-url") from None
            except httpx.TransportError as exc:
                if last or method not in _IDEMPOTENT:
                    raise GitHubError(f"{method} {shown}: no answer from {self.api_url}"
                                      f" ({type(exc).__name__})",
                                      "check the network and --api-url") from None
                self.sleep(self._backoff(attempt))
                continue
            if response.is_success:
                return response
            wait = self._retry_wait(response, method, attempt)
            if wait is None or last:
                raise self._error(method, shown, response, access)
            if wait > self.max_wait:
                raise self._rate_limited(method, shown, response, wait)
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    # --- retries -------------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_wait))

    def _retry_wait(self, response: httpx.Response, method: str, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the error is final."""
        if not (_rate_limited(response)
                or (response.status_code >= 500 and method in _IDEMPOTENT)):
            return None
        server = _server_wait(response)
        return server if server is not None else self._backoff(attempt)

    def _same_origin(self, url: str) -> bool:
        return _origin(url) == self._origin

    # --- errors --------------------------------------------------------------------------------

    def _error(self, method: str, shown: str, response: httpx.Response,
               access: Access) -> GitHubError:
        status = response.status_code
        said = _github_message(response)
        where = f"{method} {shown}: {status} {response.reason_phrase}"
        detail = f" ({said})" if said else ""
        if status == 401:
            return GitHubError(f"{where}: GitHub rejected the token{detail}",
                               "set GITHUB_TOKEN or GH_TOKEN to a valid, unexpired token",
                               status=status, github_message=said)
        if status == 403 and not _rate_limited(response):
            accepted = response.headers.get("X-Accepted-GitHub-Permissions")
            wanted = f" (GitHub accepts: {accepted})" if accepted else ""
            return GitHubError(
                f"{where}: the token lacks permission{detail}",
                f"use a fine-grained token with the {access.permission}{wanted}, or a classic"
                f" token with the {access.scope!r} scope", status=status, github_message=said)
        if status == 404:
            return GitHubError(f"{where}: repository or branch not found, or the token cannot"
                               f" see it{detail}", "check --repo and --branch, and that the"
                               " token has access to the repository", status=status,
                               github_message=said)
        if _rate_limited(response) or status >= 500:
            return GitHubError(f"{where}: still failing after {self.attempts} attempts{detail}",
                               "try again later", status=status, github_message=said)
        return GitHubError(f"{where}{detail}", status=status, github_message=said)

    def _rate_limited(self, method: str, shown: str, response: httpx.Response,
                      wait: float) -> GitHubError:
        until = time.strftime("%H:%M:%S UTC", time.gmtime(time.time() + wait))
        return GitHubError(f"{method} {shown}: {response.status_code} rate limited by GitHub"
                           f" for {wait:.0f} s more", f"try again after {until}",
                           status=response.status_code, github_message=_github_message(response))


def _origin(url: str) -> tuple[str, str | None, int]:
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


def _rate_limited(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    return (response.headers.get("X-RateLimit-Remaining") == "0"
            or "Retry-After" in response.headers
            or "rate limit" in _github_message(response).lower())


def _server_wait(response: httpx.Response) -> float | None:
    """The wait GitHub asks for: Retry-After (seconds or a date), else the rate-limit reset."""
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None:
        if retry_after.strip().isdigit():
            return float(retry_after)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp()
                       - time.time())
        except (TypeError, ValueError):
            return None
    reset = response.headers.get("X-RateLimit-Reset")
    if response.headers.get("X-RateLimit-Remaining") == "0" and reset and reset.isdigit():
        return max(0.0, int(reset) - time.time()) + 1.0  # the reset second itself may still fail
    return None


def _json(response: httpx.Response, request: str) -> Any:
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise GitHubError(f"{request}: the answer is not JSON ({kind})",
                          "check --api-url: it must be the REST API root, e.g."
                          " https://HOST/api/v3 on GitHub Enterprise Server",
                          status=response.status_code) from None


def _github_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text: str = body["message"]
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            text += ": " + "; ".join(
                str(e.get("message") or e) if isinstance(e, dict) else str(e) for e in errors)
        return text.replace("\n", " ")[:300]
    return ""



def api_url(given: str | None) -> str:
    """--api-url, else GITHUB_API_URL (set inside GitHub Actions, also on GHES), else github.com."""
    return given or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL


def token(needs: str) -> str:
    """GITHUB_TOKEN, else GH_TOKEN; `needs`, the access the command wants, is the hint."""
    for variable in TOKEN_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    raise PipelinegenError("no GitHub token: set GITHUB_TOKEN or GH_TOKEN", needs)
