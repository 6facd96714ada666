"""A tiny health endpoint server every Python service shares."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def port(default: int) -> int:
    return int(os.environ.get("PORT", default))


def serve(handler: type[BaseHTTPRequestHandler], default_port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("0.0.0.0", port(default_port)), handler)


def reply(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
