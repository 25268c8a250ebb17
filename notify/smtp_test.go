package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test server saw it.
type received struct {
	From string
	To   []string
	User string
	Data []byte
}

// testBackend records messages and fails on request.
type testBackend struct {
	mu       sync.Mutex
	msgs     []received
	user     string // required login when set
	pass     string
	rcptErr  error
	dataErr  error
	sessions int
}

func (b *testBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	b.sessions++
	b.mu.Unlock()
	return &testSession{b: b}, nil
}

func (b *testBackend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type testSession struct {
	b   *testBackend
	cur received
}

var _ smtp.AuthSession = (*testSession)(nil)

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && s.cur.User == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptErr != nil {
		return s.b.rcptErr
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.b.dataErr != nil {
		return s.b.dataErr
	}
	s.cur.Data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = received{User: s.cur.User} }
func (s *testSession) Logout() error { return nil }

// startSMTP runs a real SMTP server on 127.0.0.1 and returns its port.
func startSMTP(t *testing.T, be *testBackend) int {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 5 * time.Second
	srv.WriteTimeout = 5 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		// Close the listener ourselves too: srv.Close misses it when
		// Serve has not registered it yet.
		_ = srv.Close()
		_ = l.Close()
		<-done
	})
	return l.Addr().(*net.TCPAddr).Port
}

func testMailer(t *testing.T, port int, user, pass string) *Mailer {
	t.Helper()
	m, err := NewMailer(SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone,
		Username: user, Password: pass, From: "newsmon <alerts@newsmon.example>",
		Timeout: 2 * time.Second, HELO: "test.newsmon.example"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSendDigest(t *testing.T) {
	be := &testBackend{user: "digest", pass: "s3cret"}
	port := startSMTP(t, be)
	m := testMailer(t, port, "digest", "s3cret")
	to := []string{"Researcher One <one@ngo.example>", "two@ngo.example"}
	if err := m.SendDigest(context.Background(), to, sampleDigest(t)); err != nil {
		t.Fatalf("send digest: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "alerts@newsmon.example" || strings.Join(got.To, " ") != "one@ngo.example two@ngo.example" || got.User != "digest" {
		t.Errorf("envelope from=%q to=%q user=%q", got.From, got.To, got.User)
	}
	checkDigestMessage(t, got.Data, "newsmon digest 10 Mar 2026: 7 new stories")
}

func TestWriteEML(t *testing.T) {
	var buf bytes.Buffer
	to := []string{"Researcher One <one@ngo.example>", "two@ngo.example"}
	if err := WriteEML(&buf, "newsmon <alerts@newsmon.example>", to, sampleDigest(t)); err != nil {
		t.Fatal(err)
	}
	checkDigestMessage(t, buf.Bytes(), "newsmon digest 10 Mar 2026: 7 new stories")
	if err := WriteEML(io.Discard, "newsmon <alerts@newsmon.example>", nil, sampleDigest(t)); err == nil {
		t.Error("WriteEML with no recipients: want error")
	}
}

// checkDigestMessage parses raw as the test's receiving side would:
// multipart/alternative{text/plain, text/html}.
func checkDigestMessage(t *testing.T, raw []byte, wantSubject string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	h := msg.Header
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Address != "alerts@newsmon.example" || from.Name != "newsmon" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 2 || to[0].Name != "Researcher One" || to[1].Address != "two@ngo.example" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || subj != wantSubject {
		t.Errorf("Subject = %q (%v), want %q", subj, err, wantSubject)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute || time.Since(d) < -time.Minute {
		t.Errorf("Date = %q (%v)", h.Get("Date"), err)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@newsmon.example>") {
		t.Errorf("Message-ID = %q", id)
	}

	parts := readMultipart(t, h.Get("Content-Type"), msg.Body, "multipart/alternative")
	if len(parts) != 2 {
		t.Fatalf("alternative has %d parts, want 2", len(parts))
	}
	if parts[0].mediaType != "text/plain" || !strings.Contains(parts[0].body, "== Ali Aarrass ==") {
		t.Errorf("first part is %s, want the text digest", parts[0].mediaType)
	}
	if parts[0].params["charset"] != "utf-8" {
		t.Errorf("text charset = %q", parts[0].params["charset"])
	}
	// The chart is part of the HTML: no image part, nothing to fetch.
	html := parts[1]
	if html.mediaType != "text/html" || !strings.Contains(html.body, "Rights group renews call") {
		t.Errorf("second part is %s, want the html digest", html.mediaType)
	}
	if !strings.Contains(html.body, `<table role="img" aria-label="Ali Aarrass, stories per day`) || strings.Contains(html.body, "cid:") {
		t.Error("html does not carry the chart itself")
	}
	// This line is longer than quoted-printable allows, so it only reads
	// whole when the soft line break was undone; "−" checks UTF-8.
	for _, p := range []part{parts[0], html} {
		if !strings.Contains(p.body, "HTTP 503 on the last 4 fetches (since 8 Mar 2026 23:00 CET)") || !strings.Contains(p.body, "−2") {
			t.Errorf("%s part does not decode to the rendered digest", p.mediaType)
		}
	}
}

type part struct {
	header      mailHeader
	contentType string
	mediaType   string
	params      map[string]string
	body        string // decoded
}

type mailHeader interface{ Get(string) string }

// readMultipart checks contentType is want and returns its parts with
// their transfer encoding undone (multipart.Reader undoes
// quoted-printable; base64 is undone here).
func readMultipart(t *testing.T, contentType string, body io.Reader, want string) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != want {
		t.Fatalf("content type %q (%v), want %s", contentType, err, want)
	}
	mr := multipart.NewReader(body, params["boundary"])
	var out []part
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read %s part: %v", want, err)
		}
		ct := p.Header.Get("Content-Type")
		pmt, pparams, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("part content type %q: %v", ct, err)
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64Reader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read %s body: %v", pmt, err)
		}
		out = append(out, part{header: p.Header, contentType: ct, mediaType: pmt, params: pparams, body: string(b)})
	}
}

func TestSendAlert(t *testing.T) {
	be := &testBackend{}
	port := startSMTP(t, be)
	m := testMailer(t, port, "", "")
	a := Alert{Rule: "critical-coverage", Person: "Ali Aarrass", Items: sampleDigest(t).People[0].Items[1:2]}
	if err := m.SendAlert(context.Background(), []string{"one@ngo.example"}, a); err != nil {
		t.Fatalf("send alert: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages", len(msgs))
	}
	if msgs[0].User != "" {
		t.Errorf("authenticated as %q without a username configured", msgs[0].User)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if want := "[newsmon] critical-coverage: Commentary dismisses Aarass claims as a media operation (Ali Aarrass)"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	parts := readMultipart(t, msg.Header.Get("Content-Type"), msg.Body, "multipart/alternative")
	if len(parts) != 2 || parts[0].mediaType != "text/plain" || parts[1].mediaType != "text/html" {
		t.Fatalf("alert parts: %+v", parts)
	}
	if !strings.Contains(parts[1].body, "https://daily.example.net/op/77") {
		t.Error("alert html lacks the item link")
	}
}

func TestSendFailures(t *testing.T) {
	closedPort := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		return port
	}
	// silentPort accepts connections and never answers, like a stuck relay.
	silentPort := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var conns []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			_ = l.Close()
			mu.Lock()
			for _, c := range conns {
				_ = c.Close()
			}
			mu.Unlock()
		})
		return l.Addr().(*net.TCPAddr).Port
	}
	tempFail := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	for _, tc := range []struct {
		name     string
		port     func(t *testing.T) int
		user     string
		pass     string
		security string
		timeout  time.Duration
		ctx      func() (context.Context, context.CancelFunc)
		want     []string
		wantErr  error
	}{
		{name: "closed port", port: closedPort, want: []string{"connect to smtp 127.0.0.1:", "refused"}},
		{name: "rcpt 4xx", port: func(t *testing.T) int { return startSMTP(t, &testBackend{rcptErr: tempFail}) },
			want: []string{"smtp rcpt to <one@ngo.example> at", "451", "try later"}},
		{name: "rcpt 5xx", port: func(t *testing.T) int {
			return startSMTP(t, &testBackend{rcptErr: &smtp.SMTPError{Code: 550, Message: "no such user"}})
		}, want: []string{"smtp rcpt to", "550"}},
		{name: "data 4xx", port: func(t *testing.T) int { return startSMTP(t, &testBackend{dataErr: tempFail}) },
			want: []string{"smtp data at", "451"}},
		{name: "wrong password", port: func(t *testing.T) int { return startSMTP(t, &testBackend{user: "u", pass: "right"}) },
			user: "u", pass: "wrong", want: []string{"smtp auth as u at", "535"}},
		{name: "server wants auth, none configured", port: func(t *testing.T) int { return startSMTP(t, &testBackend{user: "u", pass: "p"}) },
			want: []string{"smtp mail from <alerts@newsmon.example> at", "502"}},
		{name: "starttls required, not offered", port: func(t *testing.T) int { return startSMTP(t, &testBackend{}) },
			security: SecuritySTARTTLS, want: []string{"connect to smtp", "STARTTLS"}},
		{name: "server never answers", port: silentPort, timeout: 200 * time.Millisecond,
			want: []string{"connect to smtp", "timeout"}},
		{name: "context deadline while server is silent", port: silentPort, timeout: time.Minute,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 200*time.Millisecond)
			},
			want: []string{"connect to smtp"}, wantErr: context.DeadlineExceeded},
		{name: "context already cancelled", port: func(t *testing.T) int { return startSMTP(t, &testBackend{}) },
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}, wantErr: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := SMTPConfig{Host: "127.0.0.1", Port: tc.port(t), Security: SecurityNone, Username: tc.user, Password: tc.pass,
				From: "alerts@newsmon.example", Timeout: 2 * time.Second}
			if tc.security != "" {
				cfg.Security = tc.security
			}
			if tc.timeout != 0 {
				cfg.Timeout = tc.timeout
			}
			m, err := NewMailer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			start := time.Now()
			err = m.SendAlert(ctx, []string{"one@ngo.example"}, Alert{Rule: "r", Items: sampleDigest(t).Unclear})
			if err == nil {
				t.Fatal("send succeeded, want an error")
			}
			t.Logf("error: %v", err)
			if time.Since(start) > 5*time.Second {
				t.Errorf("failure took %s", time.Since(start))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
		})
	}
}

func TestNewMailerRejectsBadConfig(t *testing.T) {
	good := SMTPConfig{Host: "mail.example", Port: 587, Security: SecuritySTARTTLS, From: "a@example.org"}
	for _, tc := range []struct {
		name string
		edit func(*SMTPConfig)
	}{
		{"no host", func(c *SMTPConfig) { c.Host = " " }},
		{"port zero", func(c *SMTPConfig) { c.Port = 0 }},
		{"port too big", func(c *SMTPConfig) { c.Port = 70000 }},
		{"unknown security", func(c *SMTPConfig) { c.Security = "ssl" }},
		{"bad from", func(c *SMTPConfig) { c.From = "not an address" }},
		{"negative timeout", func(c *SMTPConfig) { c.Timeout = -time.Second }},
	} {
		cfg := good
		tc.edit(&cfg)
		if _, err := NewMailer(cfg); err == nil {
			t.Errorf("%s: want error", tc.name)
		}
	}
	m, err := NewMailer(good)
	if err != nil {
		t.Fatal(err)
	}
	if m.cfg.Timeout != DefaultSMTPTimeout {
		t.Errorf("zero timeout became %s, want %s", m.cfg.Timeout, DefaultSMTPTimeout)
	}
}

func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, r)
}

func TestWriteEMLEmptyDigest(t *testing.T) {
	full := sampleDigest(t)
	d := Digest{PeriodStart: full.PeriodStart, PeriodEnd: full.PeriodEnd, Location: full.Location}
	var buf bytes.Buffer
	if err := WriteEML(&buf, "alerts@newsmon.example", []string{"one@ngo.example"}, d); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(&buf)
	if err != nil {
		t.Fatal(err)
	}
	parts := readMultipart(t, msg.Header.Get("Content-Type"), msg.Body, "multipart/alternative")
	if len(parts) != 2 || parts[0].mediaType != "text/plain" || parts[1].mediaType != "text/html" {
		t.Fatalf("empty digest parts: want text/plain and text/html without a chart, got %d parts", len(parts))
	}
	if !strings.Contains(parts[1].body, "Nothing new in this period.") {
		t.Error("empty digest html lacks the 'nothing new' line")
	}
}

func BenchmarkWriteEML(b *testing.B) {
	d := sampleDigest(b)
	for b.Loop() {
		if err := WriteEML(io.Discard, "alerts@newsmon.example", []string{"one@ngo.example"}, d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSendOverTLS checks both encrypted modes against a server using the
// certificate httptest makes for 127.0.0.1.
func TestSendOverTLS(t *testing.T) {
	certSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	certSrv.StartTLS()
	defer certSrv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(certSrv.Certificate())
	tlsCfg := &tls.Config{Certificates: certSrv.TLS.Certificates}

	for _, security := range []string{SecuritySTARTTLS, SecurityTLS} {
		t.Run(security, func(t *testing.T) {
			be := &testBackend{user: "u", pass: "p"}
			srv := smtp.NewServer(be)
			srv.Domain = "localhost"
			srv.ErrorLog = log.New(io.Discard, "", 0)
			srv.TLSConfig = tlsCfg
			srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
			var l net.Listener
			var err error
			if security == SecurityTLS {
				l, err = tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
			} else {
				l, err = net.Listen("tcp", "127.0.0.1:0")
			}
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { defer close(done); _ = srv.Serve(l) }()
			defer func() { _ = srv.Close(); _ = l.Close(); <-done }()

			m, err := NewMailer(SMTPConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: security,
				Username: "u", Password: "p", From: "alerts@newsmon.example", Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			// Without the test CA the certificate must be refused.
			if err := m.SendAlert(context.Background(), []string{"one@ngo.example"}, Alert{Rule: "r"}); err == nil {
				t.Fatal("sent to a server with an unknown certificate")
			}
			m.rootCAs = pool
			if err := m.SendAlert(context.Background(), []string{"one@ngo.example"}, Alert{Rule: "r"}); err != nil {
				t.Fatalf("send over %s: %v", security, err)
			}
			if msgs := be.messages(); len(msgs) != 1 || msgs[0].User != "u" {
				t.Fatalf("server got %d messages", len(msgs))
			}
		})
	}
}

// A title that holds a literal MIME encoded-word reaches the reader as
// written, not decoded into other text; ordinary subjects stay readable
// in the raw header.
func TestSubjectWithLiteralEncodedWord(t *testing.T) {
	for _, subject := range []string{
		"Court hears =?utf-8?q?Ali_Aarrass?= appeal",
		"=?iso-8859-1?b?QWxpIEFhcnJhc3M=?=",
		strings.Repeat("Long title with =?x?q?y?= and Arabic علي أعراس ", 5),
		"Plain title about the appeal",
	} {
		var buf bytes.Buffer
		m := message{From: &mail.Address{Address: "n@example.org"}, To: []*mail.Address{{Address: "desk@example.org"}},
			Subject: subject, Date: time.Unix(0, 0), MessageID: "<x@example.org>", Text: "t", HTML: "<p>t</p>"}
		if err := m.writeTo(&buf); err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatal(err)
		}
		raw := msg.Header.Get("Subject")
		got, err := new(mime.WordDecoder).DecodeHeader(raw)
		if want := oneLine(subject); err != nil || got != want {
			t.Errorf("Subject %q decodes to %q (%v), want %q", raw, got, err, want)
		}
		if !strings.Contains(subject, "=?") && raw != subject {
			t.Errorf("plain subject written as %q", raw)
		}
		for _, w := range strings.Fields(raw) {
			if len(w) > 75 {
				t.Errorf("encoded-word of %d characters: %q", len(w), w)
			}
		}
	}
}
