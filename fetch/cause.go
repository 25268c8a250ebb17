package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strconv"
	"syscall"

	"github.com/newsmon/newsmon/internal/netguard"
)

// Causes of a failed fetch, as Cause names them. HTTP statuses are named
// "HTTP 404", "HTTP 503" and so on.
const (
	CauseDNS         = "DNS"             // the host name does not resolve
	CauseRefused     = "refused"         // nothing listens at the address
	CauseReset       = "reset"           // the server dropped the connection
	CauseUnreachable = "unreachable"     // no route to the host or network
	CauseTimeout     = "timeout"         // no answer within fetch.timeout
	CauseTLS         = "TLS"             // certificate or handshake
	CauseRobots      = "robots.txt"      // robots.txt forbids the page
	CauseNotAFeed    = "not a feed"      // the body is not RSS, Atom or JSON Feed
	CauseTooLarge    = "too large"       // the body is over fetch.max_body_bytes
	CausePrivate     = "private address" // refused by the address guard
	CauseCancelled   = "cancelled"       // newsmon stopped during the run
)

// Cause names in a word or two why a fetch failed, for `newsmon status`
// and the digest: whoever reads it learns what to do (fix a URL, wait for a
// server, ask for a feed) without reading a Go error. It returns "" for
// nil and for errors it does not recognise; the full error text is kept
// beside the cause in any case.
func Cause(err error) string {
	var (
		status  *StatusError
		feed    *FeedError
		dns     *net.DNSError
		timeout interface{ Timeout() bool }
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &status):
		return "HTTP " + strconv.Itoa(status.Code)
	case errors.Is(err, ErrRobotsDisallowed):
		return CauseRobots
	case errors.Is(err, ErrTooLarge):
		return CauseTooLarge
	case errors.Is(err, netguard.ErrForbiddenAddress), errors.Is(err, netguard.ErrMetadataAddress):
		return CausePrivate
	case errors.As(err, &feed):
		return CauseNotAFeed
	case errors.As(err, &dns):
		return CauseDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return CauseRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return CauseReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return CauseUnreachable
	case isTLS(err):
		return CauseTLS
	case errors.Is(err, context.Canceled):
		return CauseCancelled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return CauseTimeout
	}
	return ""
}

func isTLS(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &authority) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// FeedError is a body that could not be read as a feed (RSS, Atom or JSON
// Feed): often an HTML page where a feed was expected.
type FeedError struct{ Err error }

func (e *FeedError) Error() string { return "parse feed: " + e.Err.Error() }
func (e *FeedError) Unwrap() error { return e.Err }

// withoutURL drops the *url.Error that net/http wraps around a failure
// ("Get \"https://…\": dial tcp …"): newsmon's own message names the URL
// once already.
func withoutURL(err error) error {
	if ue, ok := err.(*url.Error); ok && ue.Err != nil {
		return ue.Err
	}
	return err
}
