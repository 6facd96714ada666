"use strict";
// Prometheus metrics in the text exposition format, with the standard library only. The names
// are the ones pipelinegen's default SLI queries read: http_requests_total{code,method}, the
// histogram http_request_duration_seconds (`le` as the Go client writes it: 0.3, 1), and
// process_cpu_seconds_total for saturation.

// Bounds of the latency histogram in seconds; 0.3 is the default latency SLO's threshold.
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10];
// Methods counted by name; any other is "OTHER", so clients cannot mint series.
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

function createMetrics() {
  const requests = new Map(); // `${code} ${method}` -> count
  const buckets = BOUNDS.map(() => 0); // cumulative: requests answered within each bound
  let count = 0;
  let sum = 0;

  function observe(method, code, seconds) {
    const key = `${code} ${METHODS.has(method) ? method : "OTHER"}`;
    requests.set(key, (requests.get(key) || 0) + 1);
    BOUNDS.forEach((bound, index) => {
      if (seconds <= bound) buckets[index] += 1;
    });
    count += 1;
    sum += seconds;
  }

  function render() {
    const lines = [
      "# HELP http_requests_total Requests answered, by status code and method.",
      "# TYPE http_requests_total counter",
    ];
    for (const key of [...requests.keys()].sort()) {
      const [code, method] = key.split(" ");
      lines.push(`http_requests_total{code="${code}",method="${method}"} ${requests.get(key)}`);
    }
    lines.push(
      "# HELP http_request_duration_seconds Time to answer a request.",
      "# TYPE http_request_duration_seconds histogram",
      ...BOUNDS.map((bound, i) => `http_request_duration_seconds_bucket{le="${bound}"} ${buckets[i]}`),
      `http_request_duration_seconds_bucket{le="+Inf"} ${count}`,
      `http_request_duration_seconds_sum ${sum.toFixed(6)}`,
      `http_request_duration_seconds_count ${count}`,
    );
    const { user, system } = process.cpuUsage(); // microseconds
    lines.push(
      "# HELP process_cpu_seconds_total User and system CPU time spent.",
      "# TYPE process_cpu_seconds_total counter",
      `process_cpu_seconds_total ${((user + system) / 1e6).toFixed(2)}`,
    );
    return lines.join("\n") + "\n";
  }

  return { observe, render };
}

// The request handler, answering `path` with the metrics and counting every other request.
// A handler that throws is answered 500, so a failure shows in the metrics.
function instrument(handle, metrics, path = "/metrics") {
  return (req, res) => {
    if (req.url === path) {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(metrics.render());
      return;
    }
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      metrics.observe(req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    try {
      handle(req, res);
    } catch (error) {
      console.error(`500 on ${req.url}: ${error}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    }
  };
}

module.exports = { createMetrics, instrument };
