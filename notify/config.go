package notify

import (
	"fmt"
	"os"
	"strings"

	"github.com/newsmon/newsmon/config"
)

// MailerFor builds the SMTP client cfg describes, or returns nil when
// smtp.host is unset. The password comes from the environment variable
// (read with getenv) or the file the config names, never from the config
// itself.
func MailerFor(cfg config.Config, getenv func(string) string) (*Mailer, error) {
	if cfg.SMTP.Host == "" {
		return nil, nil
	}
	password := ""
	switch {
	case cfg.SMTP.PasswordEnv != "":
		password = getenv(cfg.SMTP.PasswordEnv)
		if password == "" {
			return nil, fmt.Errorf("smtp.password_env: environment variable %s is not set (or empty) in this environment; "+
				"newsmon run needs it in its own, e.g. a systemd EnvironmentFile", cfg.SMTP.PasswordEnv)
		}
	case cfg.SMTP.PasswordFile != "":
		b, err := os.ReadFile(cfg.SMTP.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("read smtp password file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	return NewMailer(SMTPConfig{
		Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Security: cfg.SMTP.Security,
		Username: cfg.SMTP.Username, Password: password, From: cfg.SMTP.From,
		Timeout: cfg.SMTP.Timeout.D(),
	})
}

// WebhookClientFor is the webhook client cfg describes: its address guard,
// timeout and User-Agent.
func WebhookClientFor(cfg config.Config) *WebhookClient {
	return NewWebhookClient(WebhookHTTPClient(cfg.Fetch.AllowPrivate, cfg.Fetch.Timeout.D()), cfg.Fetch.UserAgent)
}

// OutboxConfigFor is where cfg sends alerts: each rule's targets, and the
// health targets for source-health alerts.
func OutboxConfigFor(cfg config.Config) OutboxConfig {
	rules := map[string]Targets{}
	for _, r := range cfg.Alerts.Rules {
		rules[r.Name] = Targets{Person: r.Person, Email: r.Email, Webhook: r.Webhook}
	}
	return OutboxConfig{
		Rules:       rules,
		Health:      Targets{Email: cfg.Alerts.HealthEmail, Webhook: cfg.Alerts.HealthWebhook},
		MaxAttempts: cfg.Alerts.MaxAttempts,
		GroupWindow: cfg.Alerts.GroupWindow.D(),
	}
}

// DigestConfigFor is what cfg's digest covers and who gets it.
func DigestConfigFor(cfg config.Config) DigestConfig {
	return DigestConfig{
		To: cfg.Digest.To, Subject: cfg.Digest.Subject, SendEmpty: cfg.Digest.SendEmpty,
		Location: cfg.Location, HealthFailures: cfg.Alerts.FailuresToAlert,
	}
}
