package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
)

var (
	alertHTML = htmltemplate.Must(htmltemplate.New("alert.html.tmpl").ParseFS(templateFS, "templates/alert.html.tmpl"))
	alertText = texttemplate.Must(texttemplate.New("alert.txt.tmpl").ParseFS(templateFS, "templates/alert.txt.tmpl"))
)

type alertView struct {
	Subject string
	Rule    string
	Person  string
	Items   []itemView
}

// RenderAlert renders the items that matched one rule as a subject, an HTML
// body and a plain-text body. Dates are shown in UTC: an alert goes out as
// soon as it fires and carries no time zone of its own.
func RenderAlert(a Alert) (subject, html, text string) {
	v := buildAlertView(a)
	var hb, tb bytes.Buffer
	// The templates are parsed at init and only range over strings, so an
	// execution error means a bug in this package; show it rather than
	// send a blank mail.
	if err := alertHTML.Execute(&hb, v); err != nil {
		hb.Reset()
		hb.WriteString(htmltemplate.HTMLEscapeString("render alert: " + err.Error()))
	}
	if err := alertText.Execute(&tb, v); err != nil {
		tb.Reset()
		tb.WriteString("render alert: " + err.Error())
	}
	return v.Subject, hb.String(), tb.String()
}

func buildAlertView(a Alert) alertView {
	v := alertView{Rule: clip(oneLine(a.Rule), 80), Person: clip(oneLine(a.Person), 80)}
	items := slices.Clone(a.Items)
	sortItems(items)
	for _, it := range items {
		iv := newItemView(it, time.UTC)
		if iv.Person == v.Person {
			iv.Person = "" // already in the heading
		}
		v.Items = append(v.Items, iv)
	}
	v.Subject = alertSubject(v)
	return v
}

// alertSubject names the rule and the person, and the title when there is
// one item, so the alert can be triaged from the inbox list.
func alertSubject(v alertView) string {
	var b strings.Builder
	b.WriteString("[newsmon]")
	if v.Rule != "" {
		b.WriteString(" " + v.Rule + ":")
	}
	switch len(v.Items) {
	case 0:
		b.WriteString(" no items")
	case 1:
		b.WriteString(" " + v.Items[0].Title)
	default:
		fmt.Fprintf(&b, " %d new items", len(v.Items))
	}
	if v.Person != "" {
		b.WriteString(" (" + v.Person + ")")
	}
	return clip(b.String(), maxTitleRunes)
}
