package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/netguard"
)

func TestGet(t *testing.T) {
	big := strings.Repeat("x", 2048)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != "newsmon-test/1" {
			http.Error(w, "bad user agent "+got, http.StatusBadRequest)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 04 May 2021 09:00:00 GMT")
		w.Write([]byte("hello"))
	})
	mux.HandleFunc("/gzip-empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		gz.Write([]byte("compressed hello"))
		gz.Close()
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) })
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 4 {
			w.Write([]byte(big[:600]))
			w.(http.Flusher).Flush()
		}
	})
	// Built once, outside the handler: compressing 10 MiB inside it could
	// take longer than a short client timeout on a busy machine.
	var bomb bytes.Buffer
	gz := gzip.NewWriter(&bomb)
	gz.Write(bytes.Repeat([]byte{0}, 10<<20)) // 10 MiB of zeros, ~10 KiB on the wire
	gz.Close()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Every case but the timeout gets a generous timeout, so a busy machine
	// cannot turn a size or redirect check into a timeout failure; the
	// timeout case has its own short-timeout client.
	c := NewClient(Options{UserAgent: "newsmon-test/1", Timeout: 30 * time.Second, MaxBodyBytes: 2048})
	short := NewClient(Options{UserAgent: "newsmon-test/1", Timeout: 300 * time.Millisecond, MaxBodyBytes: 2048})
	tests := []struct {
		name    string
		client  *Client
		req     Request
		body    string
		notMod  bool
		errIs   error
		errText string
		status  int
	}{
		{name: "ok", req: Request{URL: srv.URL + "/ok"}, body: "hello", status: 200},
		{name: "conditional", req: Request{URL: srv.URL + "/ok", ETag: `"v1"`}, notMod: true, status: 304},
		{name: "gzip", req: Request{URL: srv.URL + "/gzip"}, body: "compressed hello", status: 200},
		{name: "gzip, empty body", req: Request{URL: srv.URL + "/gzip-empty"}, body: "", status: 200},
		{name: "exactly at limit", req: Request{URL: srv.URL + "/big"}, body: big, status: 200},
		{name: "over limit, chunked", req: Request{URL: srv.URL + "/big-chunked"}, errIs: ErrTooLarge},
		{name: "gzip bomb", req: Request{URL: srv.URL + "/bomb"}, errIs: ErrTooLarge},
		{name: "timeout", client: short, req: Request{URL: srv.URL + "/slow"}, errText: "Timeout"},
		{name: "429", req: Request{URL: srv.URL + "/limited"}, errText: "HTTP 429", status: 429},
		{name: "redirect loop", req: Request{URL: srv.URL + "/loop"}, errText: "stopped after 10 redirects"},
		{name: "redirect to file", req: Request{URL: srv.URL + "/to-file"}, errText: "only http and https"},
		{name: "scheme", req: Request{URL: "file:///etc/passwd"}, errText: "only http and https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.AllowPrivate = true
			client := c
			if tt.client != nil {
				client = tt.client
			}
			resp, err := client.Get(context.Background(), tt.req)
			if tt.errIs != nil || tt.errText != "" {
				if err == nil {
					t.Fatalf("no error; body %d bytes", len(resp.Body))
				}
				if tt.errIs != nil && !errors.Is(err, tt.errIs) {
					t.Errorf("err = %v, want %v", err, tt.errIs)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("err = %v, want it to contain %q", err, tt.errText)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if string(resp.Body) != tt.body || resp.NotModified != tt.notMod {
				t.Errorf("body %q notModified %v", resp.Body, resp.NotModified)
			}
			if tt.status != 0 && (resp == nil || resp.Status != tt.status) {
				t.Errorf("resp = %+v, want status %d", resp, tt.status)
			}
		})
	}

	resp, err := c.Get(context.Background(), Request{URL: srv.URL + "/limited", AllowPrivate: true})
	var se *StatusError
	if !errors.As(err, &se) || se.RetryAfter != 120*time.Second || resp.Status != 429 {
		t.Errorf("429: err %v, want StatusError with RetryAfter 2m", err)
	}
	resp, _ = c.Get(context.Background(), Request{URL: srv.URL + "/ok", AllowPrivate: true})
	if resp.ETag != `"v1"` || resp.LastModified != "Tue, 04 May 2021 09:00:00 GMT" {
		t.Errorf("validators %q %q", resp.ETag, resp.LastModified)
	}
}

func TestGetRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer srv.Close()
	c := NewClient(Options{UserAgent: "t", Timeout: time.Second})
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, netguard.ErrForbiddenAddress) {
		t.Fatalf("err = %v, want netguard.ErrForbiddenAddress", err)
	}
	// "localhost" resolves to loopback: refused after DNS, not by name.
	_, err = c.Get(context.Background(), Request{URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)})
	if !errors.Is(err, netguard.ErrForbiddenAddress) {
		t.Fatalf("localhost: err = %v, want netguard.ErrForbiddenAddress", err)
	}
	if _, err := c.Get(context.Background(), Request{URL: srv.URL, AllowPrivate: true}); err != nil {
		t.Fatalf("allowed: %v", err)
	}
}

// With private addresses allowed, the metadata service is still refused, at
// the dial and so before any packet leaves (the test needs no network).
func TestGetRefusesMetadataEvenWhenPrivateAllowed(t *testing.T) {
	c := NewClient(Options{UserAgent: "t", Timeout: 5 * time.Second})
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/"} {
		for _, allow := range []bool{false, true} {
			_, err := c.Get(context.Background(), Request{URL: u, AllowPrivate: allow})
			if allow && !errors.Is(err, netguard.ErrMetadataAddress) {
				t.Errorf("%s with private allowed: err = %v, want netguard.ErrMetadataAddress", u, err)
			}
			if !allow && !errors.Is(err, netguard.ErrForbiddenAddress) {
				t.Errorf("%s: err = %v, want netguard.ErrForbiddenAddress", u, err)
			}
		}
	}
}

// Inflaters are pooled (gzipReaders): one left behind by a truncated or
// corrupt stream must inflate the next response from its start, in full.
func TestGzipReadersReusedAfterBrokenStreams(t *testing.T) {
	compress := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	first, second := strings.Repeat("first feed ", 500), strings.Repeat("second feed ", 700)
	truncated := compress(second)
	truncated = truncated[:len(truncated)/2]
	bodies := map[string][]byte{
		"/first":     compress(first),
		"/second":    compress(second),
		"/truncated": truncated,
		"/corrupt":   append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xff}, 64)...),
		"/notgzip":   []byte("plain text sent as gzip"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bodies[r.URL.Path])
	}))
	defer srv.Close()
	c := NewClient(Options{UserAgent: "newsmon-test/1", Timeout: 10 * time.Second, MaxBodyBytes: 1 << 20})
	tests := []struct {
		path, want string // want "" means an error
	}{
		{"/first", first},
		{"/truncated", ""},
		{"/second", second},
		{"/corrupt", ""},
		{"/first", first},
		{"/notgzip", ""},
		{"/second", second},
		{"/first", first},
	}
	for i, tt := range tests {
		resp, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path, AllowPrivate: true})
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%d %s: no error, body %d bytes", i, tt.path, len(resp.Body))
		case tt.want != "" && err != nil:
			t.Errorf("%d %s: %v", i, tt.path, err)
		case tt.want != "" && string(resp.Body) != tt.want:
			t.Errorf("%d %s: body of %d bytes, want %d bytes of %.12q", i, tt.path, len(resp.Body), len(tt.want), tt.want)
		}
	}
}

// A body whose size is known is read into one buffer of that size, not
// copied into a larger one at its end.
func TestReadAtMostSizesOnce(t *testing.T) {
	for _, size := range []int{1, 511, 512, 100_000} {
		body := bytes.Repeat([]byte("x"), size)
		got, err := readAtMost(bytes.NewReader(body), 1<<20, int64(size))
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("size %d: %d bytes, err %v", size, len(got), err)
		}
		if cap(got) > size+bytes.MinRead {
			t.Errorf("size %d: buffer of %d bytes, want at most %d", size, cap(got), size+bytes.MinRead)
		}
	}
}
