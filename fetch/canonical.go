package fetch

import (
	"net/url"
	"strings"
)

// CanonicalURL normalises a link so that the same article reached with
// different tracking decorations is recognised: scheme and host lower-cased,
// default ports and the fragment dropped, utm_*, fbclid, gclid and similar
// parameters removed. Other parameters keep their order. A link that does not
// parse as an absolute http(s) URL yields "".
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	u.Host = strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		u.Host = u.Hostname()
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		var kept []string
		for _, kv := range strings.Split(u.RawQuery, "&") {
			key, _, _ := strings.Cut(kv, "=")
			if kv == "" || isTrackingParam(strings.ToLower(key)) {
				continue
			}
			kept = append(kept, kv)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	return u.String()
}

func isTrackingParam(key string) bool {
	if strings.HasPrefix(key, "utm_") {
		return true
	}
	switch key {
	case "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi":
		return true
	}
	return false
}

// resolve makes link absolute against base; it returns link unchanged when
// either does not parse.
func resolve(base, link string) string {
	if link == "" || base == "" {
		return link
	}
	b, err := url.Parse(base)
	if err != nil {
		return link
	}
	l, err := url.Parse(link)
	if err != nil {
		return link
	}
	return b.ResolveReference(l).String()
}
