package config

import (
	"fmt"
	"net/mail"
)

// HealthRuleName is the rule name source-health alerts are stored and
// sent under; no alert rule may take it.
const HealthRuleName = "source-health"

// validateHealthAlerts checks the alerts.health_* and silent_* keys.
func validateHealthAlerts(c *Config, bad func(path, format string, args ...any)) {
	a := c.Alerts
	seen := map[string]bool{}
	for i, ch := range a.HealthNotify {
		path := fmt.Sprintf("alerts.health_notify[%d]", i)
		if seen[ch] {
			bad(path, "channel %q listed twice", ch)
		}
		seen[ch] = true
		switch ch {
		case "email":
			if len(a.HealthEmail) == 0 {
				bad("alerts.health_email", "required when health_notify has email")
			}
			if c.SMTP.Host == "" {
				bad("smtp.host", "required by alerts.health_notify: email")
			}
		case "webhook":
			checkURL(bad, "alerts.health_webhook", a.HealthWebhook, true)
		case "log":
		default:
			bad(path, "expected email, webhook or log, got %q", ch)
		}
	}
	for i, to := range a.HealthEmail {
		if _, err := mail.ParseAddress(to); err != nil {
			bad(fmt.Sprintf("alerts.health_email[%d]", i), "bad email address %q", to)
		}
	}
	if a.SilentFactor != 0 && a.SilentFactor < 1 {
		bad("alerts.silent_factor", "must be 0 (off) or at least 1, got %g", a.SilentFactor)
	}
	if a.SilentMin < 0 {
		bad("alerts.silent_min", "must not be negative")
	}
}
