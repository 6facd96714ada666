package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, handler http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestMetricsCountRequestsByCodeAndMethod(t *testing.T) {
	handler, err := newHandler(".")
	if err != nil {
		t.Fatal(err)
	}
	get(t, handler, http.MethodGet, "/proof?w=2&h=2")
	get(t, handler, http.MethodGet, "/proof?w=0&h=2")
	get(t, handler, http.MethodGet, "/proof?w=0&h=2")
	get(t, handler, "PROPFIND", "/healthz")
	rec := get(t, handler, http.MethodGet, "/metrics")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	for _, line := range []string{
		`http_requests_total{code="200",method="GET"} 1`,
		`http_requests_total{code="200",method="OTHER"} 1`,
		`http_requests_total{code="400",method="GET"} 2`,
		`http_request_duration_seconds_bucket{le="0.3"} 4`,
		`http_request_duration_seconds_bucket{le="+Inf"} 4`,
		`http_request_duration_seconds_count 4`,
		"# TYPE process_cpu_seconds_total counter",
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("no line %q in:\n%s", line, body)
		}
	}
	if strings.Contains(body, `path="/metrics"`) || strings.Count(body, "http_requests_total{") != 3 {
		t.Errorf("the scrape itself is counted:\n%s", body)
	}
}

func TestHistogramBucketsAreCumulative(t *testing.T) {
	m := newMetrics()
	m.observe(http.MethodGet, 200, 0.2)
	m.observe(http.MethodGet, 200, 0.4)
	m.observe(http.MethodGet, 200, 20)
	body := m.render()
	for _, line := range []string{
		`http_request_duration_seconds_bucket{le="0.25"} 1`,
		`http_request_duration_seconds_bucket{le="0.3"} 1`,
		`http_request_duration_seconds_bucket{le="0.5"} 2`,
		`http_request_duration_seconds_bucket{le="10"} 2`,
		`http_request_duration_seconds_bucket{le="+Inf"} 3`,
		`http_request_duration_seconds_sum 20.600000`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("no line %q in:\n%s", line, body)
		}
	}
}

func TestAPanicIsAnsweredAndCountedAs500(t *testing.T) {
	m := newMetrics()
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("no disk") })
	handler := instrument(failing, m, "/metrics")
	if rec := get(t, handler, http.MethodGet, "/proof"); rec.Code != http.StatusInternalServerError {
		t.Fatalf("panic answered %d", rec.Code)
	}
	if body := m.render(); !strings.Contains(body, `http_requests_total{code="500",method="GET"} 1`) {
		t.Fatalf("500 not counted:\n%s", body)
	}
}
