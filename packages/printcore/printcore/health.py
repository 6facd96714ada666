"""A tiny HTTP server every Python service shares: health, and Prometheus metrics on /metrics."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from printcore.metrics import Metrics, instrument


def port(default: int) -> int:
    return int(os.environ.get("PORT", default))


def serve(handler: type[BaseHTTPRequestHandler], default_port: int) -> ThreadingHTTPServer:
    """The handler, instrumented, on $PORT (else default_port) of every interface."""
    return ThreadingHTTPServer(("0.0.0.0", port(default_port)), instrument(handler, Metrics()))


def reply(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
