package main

// Prometheus metrics in the text exposition format, with the standard library only. The names
// are the ones pipelinegen's default SLI queries read: http_requests_total{code,method}, the
// histogram http_request_duration_seconds (`le` as the Go client writes it: 0.3, 1), and
// process_cpu_seconds_total for saturation.

import (
	"fmt"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Bounds of the latency histogram in seconds; 0.3 is the default latency SLO's threshold.
var bounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10}

// Methods counted by name; any other is "OTHER", so clients cannot mint series.
var methods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true,
	"DELETE": true, "PATCH": true, "OPTIONS": true}

type requestKey struct{ code, method string }

type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	buckets  []uint64 // cumulative: requests answered within each bound
	count    uint64
	sum      float64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]uint64{}, buckets: make([]uint64, len(bounds))}
}

func (m *metrics) observe(method string, code int, seconds float64) {
	if !methods[method] {
		method = "OTHER"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{strconv.Itoa(code), method}]++
	for i, bound := range bounds {
		if seconds <= bound {
			m.buckets[i]++
		}
	}
	m.count++
	m.sum += seconds
}

func (m *metrics) render() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out strings.Builder
	out.WriteString("# HELP http_requests_total Requests answered, by status code and method.\n" +
		"# TYPE http_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.requests))
	for key := range m.requests {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].code < keys[j].code || keys[i].code == keys[j].code && keys[i].method < keys[j].method
	})
	for _, key := range keys {
		fmt.Fprintf(&out, "http_requests_total{code=\"%s\",method=\"%s\"} %d\n", key.code, key.method, m.requests[key])
	}
	out.WriteString("# HELP http_request_duration_seconds Time to answer a request.\n" +
		"# TYPE http_request_duration_seconds histogram\n")
	for i, bound := range bounds {
		fmt.Fprintf(&out, "http_request_duration_seconds_bucket{le=\"%s\"} %d\n",
			strconv.FormatFloat(bound, 'g', -1, 64), m.buckets[i])
	}
	fmt.Fprintf(&out, "http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.count)
	fmt.Fprintf(&out, "http_request_duration_seconds_sum %.6f\n", m.sum)
	fmt.Fprintf(&out, "http_request_duration_seconds_count %d\n", m.count)
	out.WriteString("# HELP process_cpu_seconds_total User and system CPU time spent.\n" +
		"# TYPE process_cpu_seconds_total counter\n")
	fmt.Fprintf(&out, "process_cpu_seconds_total %.2f\n", cpuSeconds())
	return out.String()
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) != nil {
		return 0
	}
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
}

// statusRecorder remembers the status code a handler answers with.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(data []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(data)
}

// instrument answers path with the metrics and counts every other request; a handler that
// panics is answered 500, so a failure shows in the metrics.
func instrument(next http.Handler, m *metrics, path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
			fmt.Fprint(w, m.render())
			return
		}
		started := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if failure := recover(); failure != nil {
				log.Printf("500 on %s: %v", r.URL.Path, failure)
				if rec.code == 0 {
					http.Error(rec, "internal error", http.StatusInternalServerError)
				}
			}
			if rec.code == 0 {
				rec.code = http.StatusOK
			}
			m.observe(r.Method, rec.code, time.Since(started).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}
