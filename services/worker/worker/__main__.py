import os
import threading
import time
from http.server import BaseHTTPRequestHandler

from printcore.health import reply, serve

state = {"polls": 0}


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/healthz":
            reply(self, 200, {"status": "ok", "polls": state["polls"]})
        else:
            reply(self, 404, {"error": "not found"})

    def log_message(self, format: str, *args: object) -> None:
        pass


def poll_forever() -> None:
    interval = float(os.environ.get("QUEUE_POLL_SECONDS", "5"))
    while True:
        state["polls"] += 1  # a real deployment reads the order queue here
        time.sleep(interval)


threading.Thread(target=poll_forever, daemon=True).start()
serve(Health, 8081).serve_forever()
