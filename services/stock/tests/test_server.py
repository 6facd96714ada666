import json
import unittest

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from stock.server import SERVICE, build


class StockTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server, port = build("127.0.0.1:0")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")

    def tearDown(self) -> None:
        self.channel.close()
        self.server.stop(None)

    def test_health_is_serving(self) -> None:
        stub = health_pb2_grpc.HealthStub(self.channel)
        for name in ("", SERVICE):
            answer = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)

    def test_level_of_a_paper(self) -> None:
        call = self.channel.unary_unary(f"/{SERVICE}/Level")
        answer = json.loads(call(json.dumps({"paper": "premium"}).encode(), timeout=5))
        self.assertEqual(answer, {"paper": "premium", "sheets": 3500})

    def test_unknown_paper_is_not_found(self) -> None:
        call = self.channel.unary_unary(f"/{SERVICE}/Level")
        with self.assertRaises(grpc.RpcError) as caught:
            call(b'{"paper": "gold"}', timeout=5)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)


if __name__ == "__main__":
    unittest.main()
