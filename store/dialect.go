package store

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the SQL a database speaks. The store's queries are written
// once, with SQLite's ? and ?N parameters, wherever both databases accept
// the same text; PostgreSQL's connections rewrite the parameters to $N
// (rebind). Where the two differ (full-text search, JSON tables, upserts
// that must not fail inside a transaction), the store picks the text by
// dialect, side by side in the same file.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// pick returns the query text of d: sqlite or postgres.
func (d dialect) pick(sqlite, postgres string) string {
	if d == postgresDialect {
		return postgres
	}
	return sqlite
}

// rebinds caches rebind's output: the store runs the same few dozen
// statements again and again.
var rebinds sync.Map

// maxRebinds bounds the cache; queries built with a variable number of
// parameters (IN lists) are many, but short-lived.
const maxRebinds = 4096

var rebindCount struct {
	sync.Mutex
	n int
}

// rebind rewrites SQLite's parameters (? and ?N) as PostgreSQL's ($N).
// A plain ? takes the number after the largest used so far, as in SQLite.
// Quoted strings, quoted names, comments and dollar-quoted bodies are left
// as they are.
func rebind(query string) string {
	if v, ok := rebinds.Load(query); ok {
		return v.(string)
	}
	out := rebindText(query)
	rebindCount.Lock()
	if rebindCount.n < maxRebinds {
		rebindCount.n++
		rebinds.Store(query, out)
	}
	rebindCount.Unlock()
	return out
}

func rebindText(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	highest := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := skipQuoted(q, i, c)
			b.WriteString(q[i:j])
			i = j
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case c == '$':
			j := skipDollarQuoted(q, i)
			b.WriteString(q[i:j])
			i = j
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(q[i+1 : j])
			}
			highest = max(highest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// skipQuoted returns the index after the quoted text starting at q[i]; a
// doubled quote is part of the text.
func skipQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// skipDollarQuoted returns the index after a $tag$...$tag$ body starting
// at q[i], or i+1 when q[i] starts none.
func skipDollarQuoted(q string, i int) int {
	end := strings.IndexByte(q[i+1:], '$')
	if end < 0 {
		return i + 1
	}
	tag := q[i : i+1+end+1]
	for _, r := range tag[1 : len(tag)-1] {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return i + 1
		}
	}
	close := strings.Index(q[i+len(tag):], tag)
	if close < 0 {
		return len(q)
	}
	return i + len(tag) + close + len(tag)
}

// PostgreSQL error codes the store branches on.
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgSyntaxError          = "42601"
)

// isUniqueViolation reports a UNIQUE constraint failure.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	return pgCode(err) == pgUniqueViolation
}

// isRetryable reports a PostgreSQL transaction that lost a race with
// another worker's (a deadlock, or a serialization failure) and can be
// run again as it is.
func isRetryable(err error) bool {
	switch pgCode(err) {
	case pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	return false
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
