// pipelinegen-httpd serves a directory of static files, and doubles as the health probe of
// images that have no shell, curl or wget (`-probe URL` exits 0 when URL answers 2xx).
// It exposes Prometheus metrics (`-metrics`, default /metrics) under the names pipelinegen's
// default SLI queries read: http_requests_total{code,method}, the histogram
// http_request_duration_seconds and process_cpu_seconds_total.
// It uses only the Go standard library and builds with Go 1.19 or later, CGO_ENABLED=0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	root := flag.String("root", "/srv/www", "directory to serve")
	listen := flag.String("listen", ":8080", "address to listen on")
	health := flag.String("health", "/healthz", "path that always answers 200 while serving")
	metricsPath := flag.String("metrics", "/metrics", "path of the Prometheus metrics (empty: none)")
	probe := flag.String("probe", "", "instead of serving, GET this URL and exit 0 on a 2xx answer")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeURL(*probe))
	}
	if err := serve(*listen, handler(*root, *health, *metricsPath)); err != nil {
		log.Fatal(err)
	}
}

func probeURL(url string) int {
	client := http.Client{Timeout: 4 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintf(os.Stderr, "%s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}

// handler serves root's files, health, and (unless metricsPath is empty) the metrics.
func handler(root, health, metricsPath string) http.Handler {
	files := http.FileServer(http.Dir(root))
	mux := http.NewServeMux()
	mux.HandleFunc(health, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// No directory listings: a directory is served only through its index.html.
		if strings.HasSuffix(r.URL.Path, "/") {
			index := path.Join(root, path.Clean(r.URL.Path), "index.html")
			if _, err := os.Stat(index); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
	if metricsPath == "" {
		return mux
	}
	return instrument(mux, newMetrics(), metricsPath)
}

func serve(listen string, handler http.Handler) error {
	server := &http.Server{Addr: listen, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	// As PID 1 the process gets no default signal handling: stop cleanly on SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// --- Prometheus metrics, in the text exposition format ---

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
