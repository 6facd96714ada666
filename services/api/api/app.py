"""Order intake API: quotes prices and looks up print orders."""

import json
import os
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
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
        elif re.fullmatch(r"/orders/[A-Za-z0-9-]+", url.path):
            self.order(url.path.rsplit("/", 1)[1])
        else:
            reply(self, 404, {"error": "not found"})

    def order(self, order_id: str) -> None:
        store = Path(os.environ.get("ORDERS_DIR", "/var/lib/printloop/orders"))
        if not store.is_dir():
            # The order store is not mounted: a server error, counted against the SLO.
            raise OSError(f"order store {store} is unavailable")
        try:
            reply(self, 200, json.loads((store / f"{order_id}.json").read_text()))
        except FileNotFoundError:
            reply(self, 404, {"error": f"no order {order_id}"})

    def log_message(self, format: str, *args: object) -> None:
        pass
