// pipelinegen-httpd serves a directory of static files, and doubles as the health probe of
// images that have no shell, curl or wget (`-probe URL` exits 0 when URL answers 2xx).
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
	"strings"
	"syscall"
	"time"
)

func main() {
	root := flag.String("root", "/srv/www", "directory to serve")
	listen := flag.String("listen", ":8080", "address to listen on")
	health := flag.String("health", "/healthz", "path that always answers 200 while serving")
	probe := flag.String("probe", "", "instead of serving, GET this URL and exit 0 on a 2xx answer")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeURL(*probe))
	}
	if err := serve(*root, *listen, *health); err != nil {
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

func serve(root, listen, health string) error {
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
	server := &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
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
