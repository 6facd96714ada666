package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func site(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte("<h1>Help</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestMetricsCountFilesHealthAndMisses(t *testing.T) {
	h := handler(site(t), "/healthz", "/metrics")
	if rec := get(t, h, http.MethodGet, "/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Help") {
		t.Fatalf("index: %d %s", rec.Code, rec.Body.String())
	}
	get(t, h, http.MethodGet, "/healthz")
	get(t, h, http.MethodGet, "/missing.html")
	get(t, h, http.MethodHead, "/")
	get(t, h, "PROPFIND", "/")
	rec := get(t, h, http.MethodGet, "/metrics")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	for _, line := range []string{
		`http_requests_total{code="200",method="GET"} 2`,
		`http_requests_total{code="200",method="HEAD"} 1`,
		`http_requests_total{code="200",method="OTHER"} 1`,
		`http_requests_total{code="404",method="GET"} 1`,
		`http_request_duration_seconds_bucket{le="0.3"} 5`,
		`http_request_duration_seconds_bucket{le="+Inf"} 5`,
		`http_request_duration_seconds_count 5`,
		"# TYPE http_request_duration_seconds histogram",
		"# TYPE process_cpu_seconds_total counter",
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("no line %q in:\n%s", line, body)
		}
	}
	if strings.Count(body, "http_requests_total{") != 4 {
		t.Errorf("the scrape itself is counted:\n%s", body)
	}
}

func TestHistogramBucketsAreCumulative(t *testing.T) {
	m := newMetrics()
	for _, seconds := range []float64{0.2, 0.3, 0.4, 20} {
		m.observe(http.MethodGet, 200, seconds)
	}
	body := m.render()
	for _, line := range []string{
		`http_request_duration_seconds_bucket{le="0.25"} 1`,
		`http_request_duration_seconds_bucket{le="0.3"} 2`,
		`http_request_duration_seconds_bucket{le="0.5"} 3`,
		`http_request_duration_seconds_bucket{le="10"} 3`,
		`http_request_duration_seconds_bucket{le="+Inf"} 4`,
		`http_request_duration_seconds_sum 20.900000`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("no line %q in:\n%s", line, body)
		}
	}
}

func TestAPanicIsAnsweredAndCountedAs500(t *testing.T) {
	m := newMetrics()
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("no disk") })
	if rec := get(t, instrument(failing, m, "/metrics"), http.MethodGet, "/"); rec.Code != 500 {
		t.Fatalf("panic answered %d", rec.Code)
	}
	if body := m.render(); !strings.Contains(body, `http_requests_total{code="500",method="GET"} 1`) {
		t.Fatalf("500 not counted:\n%s", body)
	}
}

func TestNoMetricsPathServesNoMetrics(t *testing.T) {
	h := handler(site(t), "/healthz", "")
	if rec := get(t, h, http.MethodGet, "/metrics"); rec.Code != 404 {
		t.Fatalf("metrics without -metrics: %d", rec.Code)
	}
}

func TestDirectoriesWithoutIndexAreNotListed(t *testing.T) {
	root := site(t)
	if err := os.Mkdir(filepath.Join(root, "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, handler(root, "/healthz", "/metrics"), http.MethodGet, "/img/"); rec.Code != 404 {
		t.Fatalf("listing: %d", rec.Code)
	}
}
