package notify

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// maxRecipients bounds one message's To list; a digest goes to a team, not
// a mailing list.
const maxRecipients = 50

// message is one email ready to be written as RFC 5322 text.
type message struct {
	From      *mail.Address
	To        []*mail.Address
	Subject   string
	Date      time.Time
	MessageID string // with angle brackets
	Text      string
	HTML      string
}

// WriteEML writes the digest as a complete RFC 5322 message, exactly as it
// would be sent, for previewing in a mail client.
func WriteEML(w io.Writer, from string, to []string, d Digest) error {
	m, err := digestMessage(from, to, d, time.Now())
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if err := m.writeTo(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write digest message: %w", err)
	}
	return nil
}

func digestMessage(from string, to []string, d Digest, now time.Time) (message, error) {
	html, text, err := RenderDigest(d)
	if err != nil {
		return message{}, err
	}
	return newMessage(from, to, DigestSubject(d), text, html, now)
}

func alertMessage(from string, to []string, a Alert, now time.Time) (message, error) {
	subject, html, text := RenderAlert(a)
	return newMessage(from, to, subject, text, html, now)
}

func newMessage(from string, to []string, subject, text, html string, now time.Time) (message, error) {
	f, rcpts, err := parseAddrs(from, to)
	if err != nil {
		return message{}, err
	}
	id, err := newMessageID(f.Address)
	if err != nil {
		return message{}, err
	}
	return message{From: f, To: rcpts, Subject: subject, Date: now, MessageID: id,
		Text: text, HTML: html}, nil
}

func parseAddrs(from string, to []string) (*mail.Address, []*mail.Address, error) {
	f, err := mail.ParseAddress(from)
	if err != nil {
		return nil, nil, fmt.Errorf("parse from address %q: %w", from, err)
	}
	if len(to) == 0 {
		return nil, nil, fmt.Errorf("build message: no recipients")
	}
	if len(to) > maxRecipients {
		return nil, nil, fmt.Errorf("build message: %d recipients, limit is %d", len(to), maxRecipients)
	}
	rcpts := make([]*mail.Address, 0, len(to))
	for _, s := range to {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, nil, fmt.Errorf("parse recipient address %q: %w", s, err)
		}
		rcpts = append(rcpts, a)
	}
	return f, rcpts, nil
}

// newMessageID makes a random Message-ID in the sender's domain.
func newMessageID(fromAddr string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make message id: %w", err)
	}
	return messageID(hex.EncodeToString(b[:]), fromAddr), nil
}

// messageID is "<local@domain>" in the domain of fromAddr.
func messageID(local, fromAddr string) string {
	domain := "newsmon.invalid"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i < len(fromAddr)-1 {
		domain = fromAddr[i+1:]
	}
	return "<" + local + "@" + domain + ">"
}

// writeTo writes the message as multipart/alternative: text/plain first,
// then the HTML. Clients show the last alternative they understand.
func (m message) writeTo(w io.Writer) error {
	alt := multipart.NewWriter(w)
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = a.String()
	}
	var h strings.Builder
	header := func(k, v string) { h.WriteString(k + ": " + v + "\r\n") }
	header("From", m.From.String())
	header("To", strings.Join(to, ",\r\n "))
	header("Subject", encodeHeaderText(oneLine(m.Subject)))
	header("Date", m.Date.Format(time.RFC1123Z))
	header("Message-ID", m.MessageID)
	header("MIME-Version", "1.0")
	// RFC 3834: tells vacation responders not to answer.
	header("Auto-Submitted", "auto-generated")
	header("Content-Type", `multipart/alternative; boundary="`+alt.Boundary()+`"`)
	h.WriteString("\r\n")
	if _, err := io.WriteString(w, h.String()); err != nil {
		return fmt.Errorf("write message header: %w", err)
	}

	if err := writeQP(alt, "text/plain; charset=utf-8", m.Text); err != nil {
		return err
	}
	if err := writeQP(alt, "text/html; charset=utf-8", m.HTML); err != nil {
		return err
	}
	if err := alt.Close(); err != nil {
		return fmt.Errorf("write message end: %w", err)
	}
	return nil
}

// encodeHeaderText makes s a header value that mail clients show as s.
// Plain ASCII is left as it is (mime.QEncoding does so), except text that
// holds "=?": a feed title saying "=?utf-8?q?...?=" would be decoded by the
// reader's client into other text, so it is encoded whole, as base64
// encoded-words that no client reads as anything but s.
func encodeHeaderText(s string) string {
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	// An encoded-word is at most 75 characters: "=?utf-8?b?" and "?="
	// leave 63 for base64, which is 45 bytes of s, cut between runes.
	const chunk = 45
	var words []string
	for len(s) > 0 {
		n := min(chunk, len(s))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ") // folded: a long title stays under the line limit
}

func writeQP(mw *multipart.Writer, contentType, body string) error {
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return fmt.Errorf("write %s part: %w", contentType, err)
	}
	qp := quotedprintable.NewWriter(pw)
	if _, err := io.WriteString(qp, body); err != nil {
		return fmt.Errorf("write %s part: %w", contentType, err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("write %s part: %w", contentType, err)
	}
	return nil
}
