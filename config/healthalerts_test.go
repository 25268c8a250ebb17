package config

import (
	"strings"
	"testing"
)

func TestHealthAlertKeys(t *testing.T) {
	const head = "database: x.db\ntracked: [{name: A B}]\nsources:\n  - name: a\n    type: feed\n    url: https://a.example.org/rss\n"
	tests := []struct {
		name, yaml string
		wantErr    []string // empty: valid
		wantNotify string
	}{
		{"defaults", head, nil, "[log]"},
		{"turned off", head + "alerts:\n  health_notify: []\n", nil, "[]"},
		{"email and webhook", head + "smtp: {host: mail.example.org, from: n@example.org}\nalerts:\n  health_notify: [email, webhook]\n  health_email: [desk@example.org]\n  health_webhook: https://hooks.example.org/x\n", nil, "[email webhook]"},
		{"email without targets", head + "alerts:\n  health_notify: [email, pager]\n  silent_factor: 0.5\n",
			[]string{"alerts.health_email: required", "smtp.host: required by alerts.health_notify", "alerts.health_notify[1]: expected email, webhook or log", "alerts.silent_factor: must be 0"}, ""},
		{"webhook without url", head + "alerts:\n  health_notify: [webhook]\n", []string{"alerts.health_webhook: required"}, ""},
		{"reserved rule name", head + "alerts:\n  rules:\n    - name: source-health\n      notify: [log]\n", []string{`"source-health" is reserved`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse(strings.NewReader(tt.yaml), "test.yaml")
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if got := "[" + strings.Join(cfg.Alerts.HealthNotify, " ") + "]"; got != tt.wantNotify {
					t.Errorf("health_notify = %s, want %s", got, tt.wantNotify)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}
