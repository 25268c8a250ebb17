package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// DefaultSMTPTimeout is used when SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTP security modes.
const (
	SecuritySTARTTLS = "starttls" // plain connect, then STARTTLS, required
	SecurityTLS      = "tls"      // implicit TLS from the first byte (port 465)
	SecurityNone     = "none"     // no encryption; for a local relay only
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Security string // starttls|tls|none
	// Username and Password are used only when Username is set. The
	// password is never sent over an unencrypted connection except to
	// localhost.
	Username string
	Password string
	From     string
	// Timeout bounds connecting and each SMTP command; zero means
	// DefaultSMTPTimeout.
	Timeout time.Duration
	// HELO is the name sent in EHLO; empty means the machine's host name.
	HELO string
}

// Mailer sends digests and alerts through one SMTP server. It opens a new
// connection per message, so it is safe for concurrent use.
type Mailer struct {
	cfg  SMTPConfig
	from *mail.Address
	now  func() time.Time
	// rootCAs verifies the server's certificate; nil means the system
	// pool. Only tests set it.
	rootCAs *x509.CertPool
}

// NewMailer checks cfg and returns a Mailer. It does not connect.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	if strings.TrimSpace(cfg.Host) == "" {
		return nil, errors.New("smtp config: host is empty")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp config: port %d out of range", cfg.Port)
	}
	switch cfg.Security {
	case SecuritySTARTTLS, SecurityTLS, SecurityNone:
	default:
		return nil, fmt.Errorf("smtp config: security %q, want starttls, tls or none", cfg.Security)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("smtp config: negative timeout %s", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp config: from %q: %w", cfg.From, err)
	}
	return &Mailer{cfg: cfg, from: from, now: time.Now}, nil
}

// SendDigest renders d and sends it to every address in to. An error means
// the server did not accept the message.
func (m *Mailer) SendDigest(ctx context.Context, to []string, d Digest) error {
	return m.sendDigest(ctx, to, d, "")
}

// sendDigest is SendDigest with a Message-ID derived from key (random when
// key is ""), so that a digest sent again is the same message.
func (m *Mailer) sendDigest(ctx context.Context, to []string, d Digest, key string) error {
	msg, err := digestMessage(m.cfg.From, to, d, m.now())
	if err == nil {
		err = m.sendKeyed(ctx, msg, key)
	}
	if err != nil {
		return fmt.Errorf("send digest: %w", err)
	}
	return nil
}

// sendKeyed sends msg, under a Message-ID derived from key unless key is "".
func (m *Mailer) sendKeyed(ctx context.Context, msg message, key string) error {
	if key != "" {
		msg.MessageID = messageID(key, m.from.Address)
	}
	return m.send(ctx, msg)
}

// SendAlert renders a and sends it to every address in to. An error means
// the server did not accept the message.
func (m *Mailer) SendAlert(ctx context.Context, to []string, a Alert) error {
	msg, err := alertMessage(m.cfg.From, to, a, m.now())
	if err != nil {
		return fmt.Errorf("send alert: %w", err)
	}
	if err := m.send(ctx, msg); err != nil {
		return fmt.Errorf("send alert: %w", err)
	}
	return nil
}

// send delivers one message in one SMTP session. go-mail does the dialling,
// EHLO and TLS; the transaction is driven here because go-mail's own
// message builder cannot nest multipart/related inside
// multipart/alternative, and so that each failure names its step.
func (m *Mailer) send(ctx context.Context, msg message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var body bytes.Buffer
	if err := msg.writeTo(&body); err != nil {
		return err
	}
	addr := m.cfg.Host + ":" + strconv.Itoa(m.cfg.Port)

	// The dialler is ours so that cancelling ctx closes the connection at
	// any step (go-mail watches ctx only while dialling), and so that the
	// connection is closed even when go-mail fails after dialling.
	var held heldConn
	dial := func(dctx context.Context, network, address string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if m.cfg.Security == SecurityTLS {
			td := &tls.Dialer{NetDialer: d, Config: m.tlsConfig()}
			c, err = td.DialContext(dctx, network, address)
		} else {
			c, err = d.DialContext(dctx, network, address)
		}
		if err != nil {
			return nil, err
		}
		held.set(c)
		return c, nil
	}
	defer held.close()
	stop := context.AfterFunc(ctx, held.close)
	defer stop()

	client, err := m.newClient(dial)
	if err != nil {
		return fmt.Errorf("connect to smtp %s: %w", addr, err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		return fmt.Errorf("connect to smtp %s: %w", addr, err)
	}
	// go-mail sets one deadline when it dials; renew it before each step
	// so Timeout bounds each command, not the whole session. An error here
	// means the connection is gone, which the next command reports.
	renew := func() { _ = sc.UpdateDeadline(m.cfg.Timeout) }
	fail := func(step string, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		return fmt.Errorf("smtp %s %s: %w", step, addr, err)
	}

	if m.cfg.Username != "" {
		renew()
		if err := m.auth(sc); err != nil {
			return fail("auth as "+m.cfg.Username+" at", err)
		}
	}
	renew()
	if err := sc.Mail(m.from.Address); err != nil {
		return fail("mail from <"+m.from.Address+"> at", err)
	}
	for _, r := range msg.To {
		renew()
		if err := sc.Rcpt(r.Address); err != nil {
			return fail("rcpt to <"+r.Address+"> at", err)
		}
	}
	renew()
	wc, err := sc.Data()
	if err != nil {
		return fail("data at", err)
	}
	if _, err := wc.Write(body.Bytes()); err != nil {
		_ = wc.Close()
		return fail("data at", err)
	}
	renew()
	// Close sends the final dot and reads the server's verdict on the
	// message; only a nil here means it was accepted.
	if err := wc.Close(); err != nil {
		return fail("data at", err)
	}
	// The message is accepted; a failed QUIT changes nothing for the caller.
	_ = sc.Quit()
	return nil
}

func (m *Mailer) newClient(dial gomail.DialContextFunc) (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithDialContextFunc(dial),
		gomail.WithPort(m.cfg.Port),
		gomail.WithTimeout(m.cfg.Timeout),
		gomail.WithSMTPAuth(gomail.SMTPAuthNoAuth), // done in auth, see send
	}
	switch m.cfg.Security {
	case SecurityTLS:
		// The dialler does the TLS handshake; WithSSL keeps go-mail from
		// trying STARTTLS inside it.
		opts = append(opts, gomail.WithSSL())
	case SecuritySTARTTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(m.tlsConfig()))
	case SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if m.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(m.cfg.HELO))
	}
	return gomail.NewClient(m.cfg.Host, opts...)
}

func (m *Mailer) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: m.rootCAs}
}

// auth logs in with PLAIN, or LOGIN when the server offers only that.
// Both refuse to send the password in clear except to localhost.
func (m *Mailer) auth(sc *gosmtp.Client) error {
	ok, mechs := sc.Extension("AUTH")
	if !ok {
		return errors.New("server offers no AUTH")
	}
	var a gosmtp.Auth
	switch offered := strings.Fields(strings.ToUpper(mechs)); {
	case slices.Contains(offered, "PLAIN"):
		a = gosmtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host, false)
	case slices.Contains(offered, "LOGIN"):
		a = gosmtp.LoginAuth(m.cfg.Username, m.cfg.Password, m.cfg.Host, false)
	default:
		return fmt.Errorf("server offers AUTH %s, want PLAIN or LOGIN", mechs)
	}
	return sc.Auth(a)
}

// heldConn lets the context watcher close a connection that the dialler
// may not have made yet.
type heldConn struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

func (h *heldConn) set(c net.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		_ = c.Close()
		return
	}
	h.conn = c
}

func (h *heldConn) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	if h.conn != nil {
		_ = h.conn.Close()
	}
}
