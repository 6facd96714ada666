// Command renderer rasterises print artwork; this demo renders a placeholder SVG proof.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
)

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("/proof", func(w http.ResponseWriter, r *http.Request) {
		width, errW := strconv.Atoi(r.URL.Query().Get("w"))
		height, errH := strconv.Atoi(r.URL.Query().Get("h"))
		if errW != nil || errH != nil || width < 1 || height < 1 || width > 10000 || height > 10000 {
			http.Error(w, "w and h must be integers from 1 to 10000", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d"><rect width="100%%" height="100%%" fill="#eee"/></svg>`, width, height)
	})
	return mux
}

// newHandler is the service: its routes, instrumented, and its metrics on /metrics.
func newHandler() http.Handler {
	return instrument(newMux(), newMetrics(), "/metrics")
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8090"
	}
	log.Fatal(http.ListenAndServe(":"+port, newHandler()))
}
