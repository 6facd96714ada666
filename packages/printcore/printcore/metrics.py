"""Prometheus metrics of a service, in the text exposition format, with the standard library.

The names are the ones pipelinegen's default SLI queries read: http_requests_total{code,method},
the histogram http_request_duration_seconds (`le` written as the Go client writes it: 0.3, 1),
and process_cpu_seconds_total for saturation.
"""

import os
import threading
import time

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str], int] = {}
        self._buckets = [0] * len(BUCKETS)
        self._count = 0
        self._sum = 0.0

    def observe(self, method: str, code: int, seconds: float) -> None:
        with self._lock:
            key = (str(code), method)
            self._requests[key] = self._requests.get(key, 0) + 1
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[index] += 1
            self._count += 1
            self._sum += seconds

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP http_requests_total Requests answered, by status code and method.",
                "# TYPE http_requests_total counter",
            ]
            for (code, method), value in sorted(self._requests.items()):
                lines.append(f'http_requests_total{{code="{code}",method="{method}"}} {value}')
            lines += [
                "# HELP http_request_duration_seconds Time to answer a request.",
                "# TYPE http_request_duration_seconds histogram",
            ]
            for bound, value in zip(BUCKETS, self._buckets):
                lines.append(f'http_request_duration_seconds_bucket{{le="{bound:g}"}} {value}')
            lines += [
                f'http_request_duration_seconds_bucket{{le="+Inf"}} {self._count}',
                f"http_request_duration_seconds_sum {self._sum:.6f}",
                f"http_request_duration_seconds_count {self._count}",
            ]
        cpu = sum(os.times()[:2])
        lines += [
            "# HELP process_cpu_seconds_total User and system CPU time spent.",
            "# TYPE process_cpu_seconds_total counter",
            f"process_cpu_seconds_total {cpu:.2f}",
        ]
        return "\n".join(lines) + "\n"


def instrument(handler: type, metrics: Metrics, path: str = "/metrics") -> type:
    """The handler class, answering `path` with the metrics and counting every other request.

    A request whose handler raises is answered 500, so a failure shows in the metrics."""

    class Instrumented(handler):  # type: ignore[misc, valid-type]
        def send_response(self, code: int, message: str | None = None) -> None:
            self._status = code
            super().send_response(code, message)

        def handle_one_request(self) -> None:
            self._status = 0
            started = time.perf_counter()
            super().handle_one_request()
            method = getattr(self, "command", None)
            if self._status and method and getattr(self, "path", "") != path:
                metrics.observe(method, self._status, time.perf_counter() - started)

        def do_GET(self) -> None:
            if self.path == path:
                self._send(200, metrics.render().encode(), "text/plain; version=0.0.4")
                return
            try:
                super().do_GET()
            except Exception as exc:  # a bug or a failed dependency: a server error
                self.log_error("500 on %s: %r", self.path, exc)
                if not self._status:
                    self._send(500, b'{"error": "internal error"}', "application/json")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Instrumented
