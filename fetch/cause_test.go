package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestCauseOfRealFailures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/gone", http.NotFound)
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 4096)) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><html><body><p>Not a feed.</p></body></html>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tlsSrv := httptest.NewUnstartedServer(mux) // its certificate is trusted by no one
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	c := NewClient(Options{UserAgent: "t", Timeout: 300 * time.Millisecond, MaxBodyBytes: 1024})
	get := func(rawURL string, allowPrivate bool) error {
		_, err := c.Get(context.Background(), Request{URL: rawURL, AllowPrivate: allowPrivate})
		return err
	}
	parse := func(rawURL string) error {
		resp, err := c.Get(context.Background(), Request{URL: rawURL, AllowPrivate: true})
		if err != nil {
			return err
		}
		_, err = ParseFeed(resp.Body, resp.URL)
		return err
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, errCancelled := c.Get(cancelled, Request{URL: srv.URL + "/gone", AllowPrivate: true})

	tests := []struct {
		name string
		err  error
		want string
	}{
		{"404", get(srv.URL+"/gone", true), "HTTP 404"},
		{"503", get(srv.URL+"/busy", true), "HTTP 503"},
		{"refused", get("http://"+closedPort(t)+"/feed", true), CauseRefused},
		{"timeout", get(srv.URL+"/slow", true), CauseTimeout},
		{"too large", get(srv.URL+"/big", true), CauseTooLarge},
		{"untrusted certificate", get(tlsSrv.URL+"/gone", true), CauseTLS},
		{"private address", get(srv.URL+"/gone", false), CausePrivate},
		{"HTML where a feed was expected", parse(srv.URL + "/page.html"), CauseNotAFeed},
		{"cancelled", errCancelled, CauseCancelled},
		// A resolver is not something a test may ask: this is the error
		// net/http returns for a name that does not resolve.
		{"DNS", fmt.Errorf("GET http://no.such.host.invalid/: %w", withoutURL(&url.Error{Op: "Get", URL: "http://no.such.host.invalid/",
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "no.such.host.invalid", IsNotFound: true}}})), CauseDNS},
		{"robots.txt", fmt.Errorf("GET http://x/: %w", ErrRobotsDisallowed), CauseRobots},
		{"unknown", errors.New("something else"), ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cause(tt.err); got != tt.want {
				t.Errorf("Cause(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// The URL appears once in an error: net/http's own "Get \"…\":" is dropped.
func TestErrorsNameTheURLOnce(t *testing.T) {
	c := NewClient(Options{UserAgent: "t", Timeout: time.Second})
	u := "http://" + closedPort(t) + "/feed.xml"
	_, err := c.Get(context.Background(), Request{URL: u, AllowPrivate: true})
	if err == nil || strings.Count(err.Error(), u) != 1 || strings.Contains(err.Error(), `Get "`) {
		t.Errorf("error %q: want the URL exactly once", err)
	}
}

// A start page on a host that cannot be reached fails on robots.txt, which
// colly fetches before the page: the page is reported with why.
func TestCrawlReportsAnUnreachableStartPage(t *testing.T) {
	c := NewClient(Options{UserAgent: "t", Timeout: time.Second})
	start := "http://" + closedPort(t) + "/news/"
	for _, tt := range []struct {
		name         string
		ignoreRobots bool
		allowPrivate bool
		want         string
	}{
		{"robots.txt first", false, true, CauseRefused},
		{"no robots.txt", true, true, CauseRefused},
		{"private address, robots.txt first", false, false, CausePrivate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var pages []Page
			_, err := c.Crawl(context.Background(), CrawlOptions{StartURLs: []string{start}, Delay: -1,
				IgnoreRobots: tt.ignoreRobots, AllowPrivate: tt.allowPrivate}, func(p Page) { pages = append(pages, p) })
			if err != nil {
				t.Fatal(err)
			}
			if len(pages) != 1 || pages[0].Err == nil {
				t.Fatalf("pages = %+v, want the start page with an error", pages)
			}
			if got := Cause(pages[0].Err); got != tt.want {
				t.Errorf("cause %q of %v, want %q", got, pages[0].Err, tt.want)
			}
			if n := strings.Count(pages[0].Err.Error(), start); n != 1 {
				t.Errorf("error %q names the start URL %d times", pages[0].Err, n)
			}
		})
	}
}
