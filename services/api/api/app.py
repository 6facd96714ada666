"""Order intake API: quotes prices and accepts print orders."""

from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from printcore import pricing
from printcore.health import reply


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/healthz":
            reply(self, 200, {"status": "ok"})
        elif url.path == "/quote":
            query = parse_qs(url.query)
            try:
                cents = pricing.quote(int(query.get("pages", ["1"])[0]),
                                      query.get("paper", ["standard"])[0])
            except ValueError as exc:
                reply(self, 400, {"error": str(exc)})
            else:
                reply(self, 200, {"cents": cents})
        else:
            reply(self, 404, {"error": "not found"})

    def log_message(self, format: str, *args: object) -> None:
        pass
