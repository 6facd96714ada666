package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serve(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	mux, err := newMux(".")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestHealth(t *testing.T) {
	rec := serve(t, "/healthz")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("health: %d %s", rec.Code, rec.Body.String())
	}
}

func TestProof(t *testing.T) {
	rec := serve(t, "/proof?w=20&h=10")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `width="20"`) ||
		!strings.Contains(body, "printloop proof") {
		t.Fatalf("proof: %d %s", rec.Code, body)
	}
	if rec := serve(t, "/proof?w=0&h=10"); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad proof: %d", rec.Code)
	}
}

func TestMissingTemplate(t *testing.T) {
	if _, err := newHandler(t.TempDir()); err == nil {
		t.Fatal("newHandler without templates/ succeeded")
	}
}

func TestListenAddr(t *testing.T) {
	t.Setenv("PORT", "")
	if got := listenAddr(); got != ":8090" {
		t.Fatalf("default: %s", got)
	}
	t.Setenv("PORT", "9000")
	if got := listenAddr(); got != ":9000" {
		t.Fatalf("PORT: %s", got)
	}
}
