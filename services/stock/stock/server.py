"""The gRPC server: printloop.Stock/Level answers how many sheets of a paper are in stock.

The method takes and returns JSON bytes, so the demo needs no generated protobuf code; the
health service is the standard one (grpcio-health-checking), SERVING once the server runs.
"""

from __future__ import annotations

import json
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

SERVICE = "printloop.Stock"
LEVELS = {"standard": 12000, "premium": 3500, "recycled": 8000}


def level(request: bytes, context: grpc.ServicerContext) -> bytes:
    paper = json.loads(request or b"{}").get("paper", "standard")
    if paper not in LEVELS:
        context.abort(grpc.StatusCode.NOT_FOUND, f"no paper {paper!r}")
    return json.dumps({"paper": paper, "sheets": LEVELS[paper]}).encode()


def build(address: str) -> tuple[grpc.Server, int]:
    """A started server on address ("host:port", port 0: any) and the port it got."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.unary_unary_rpc_method_handler(level)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        SERVICE, {"Level": handler}),))
    checks = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checks, server)
    port = server.add_insecure_port(address)
    server.start()
    for name in ("", SERVICE):
        checks.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port
