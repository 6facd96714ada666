import json
import threading
import unittest
from http.server import ThreadingHTTPServer
from urllib.error import HTTPError
from urllib.request import urlopen

from api.app import Handler
from printcore.metrics import Metrics, instrument


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), instrument(Handler, Metrics()))
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown()

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urlopen(self.base + path) as response:
                return response.status, json.load(response)
        except HTTPError as error:
            return error.code, json.load(error)

    def test_health(self) -> None:
        self.assertEqual(self.get("/healthz"), (200, {"status": "ok"}))

    def test_quote(self) -> None:
        self.assertEqual(self.get("/quote?pages=10&paper=premium"), (200, {"cents": 550}))

    def test_bad_quote(self) -> None:
        status, body = self.get("/quote?pages=0")
        self.assertEqual(status, 400)
        self.assertIn("pages", body["error"])

    def test_order_store_missing_is_a_server_error_and_counted(self) -> None:
        status, _ = self.get("/orders/42")
        self.assertEqual(status, 500)
        with urlopen(self.base + "/metrics") as response:
            text = response.read().decode()
        self.assertIn('http_requests_total{code="500",method="GET"} 1', text)
        self.assertIn('http_request_duration_seconds_bucket{le="0.3"}', text)


if __name__ == "__main__":
    unittest.main()
