import os
import signal

from stock.server import build

server, _ = build(f"0.0.0.0:{os.environ.get('PORT', '50051')}")
# As PID 1 the process gets no default SIGTERM handling: stop cleanly on it.
signal.signal(signal.SIGTERM, lambda *_: server.stop(5))
server.wait_for_termination()
