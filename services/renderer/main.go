// Command renderer rasterises print artwork; this demo renders a placeholder SVG proof from a
// template it reads at run time (templates/, relative to its working directory).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
)

// The proof template, read once at start: a missing file stops the server, not a request.
const proofTemplate = "templates/proof.svg.tmpl"

func newMux(dir string) (*http.ServeMux, error) {
	proof, err := template.ParseFiles(filepath.Join(dir, proofTemplate))
	if err != nil {
		return nil, err
	}
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
		if err := proof.Execute(w, struct{ Width, Height int }{width, height}); err != nil {
			log.Printf("proof: %v", err)
		}
	})
	return mux, nil
}

// listenAddr follows the PORT convention (the image and the chart set it).
func listenAddr() string {
	port := "8090"
	if fromEnv := os.Getenv("PORT"); fromEnv != "" {
		port = fromEnv
	}
	return ":" + port
}

// newHandler is the service: its routes (templates read from dir), instrumented, and its
// metrics on /metrics.
func newHandler(dir string) (http.Handler, error) {
	mux, err := newMux(dir)
	if err != nil {
		return nil, err
	}
	return instrument(mux, newMetrics(), "/metrics"), nil
}

func main() {
	handler, err := newHandler(".")
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(listenAddr(), handler))
}
