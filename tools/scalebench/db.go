package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// benchDB is the database the measurements' schemas are made in, on the
// cluster being measured.
type benchDB struct {
	db         *sql.DB
	url        *url.URL
	postmaster int // pid, for the cluster's CPU time
}

const benchDatabase = "newsmon_scalebench"

func openBenchDB(ctx context.Context, cluster string) (*benchDB, error) {
	admin, err := sql.Open("pgx", cluster)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, benchDatabase).Scan(&exists); err != nil {
		return nil, fmt.Errorf("reach the cluster: %w", err)
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+benchDatabase); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(cluster)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + benchDatabase
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	b := &benchDB{db: db, url: u}
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"); err != nil {
		b.close()
		return nil, err
	}
	// The postmaster is the parent of every server process, among them
	// the checkpointer, which lives as long as it does.
	var checkpointer int
	if err := db.QueryRowContext(ctx, `SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`).Scan(&checkpointer); err != nil {
		b.close()
		return nil, fmt.Errorf("find the server's processes: %w", err)
	}
	if b.postmaster, err = parentOf(checkpointer); err != nil {
		b.close()
		return nil, fmt.Errorf("find the server's processes (is the cluster on this machine?): %w", err)
	}
	return b, nil
}

func (b *benchDB) close() { b.db.Close() }

// newSchema makes a schema for one measurement and returns the database
// URL that puts it first, and a function that drops it.
func (b *benchDB) newSchema(ctx context.Context) (string, func(), error) {
	r := make([]byte, 6)
	rand.Read(r)
	name := "bench_" + hex.EncodeToString(r)
	if _, err := b.db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", nil, err
	}
	u := *b.url
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		b.db.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE")
	}
	return u.String(), drop, nil
}

// cpu is the CPU time the cluster's processes have used: the postmaster's
// own and that of its children, those that ended (counted into the
// postmaster's) and those alive.
func (b *benchDB) cpu(ctx context.Context) (time.Duration, error) {
	total, err := procCPU(b.postmaster, true)
	if err != nil {
		return 0, err
	}
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		if parent, err := parentOf(pid); err != nil || parent != b.postmaster {
			continue
		}
		if t, err := procCPU(pid, false); err == nil {
			total += t
		}
	}
	return total, nil
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on Linux.
const clockTicks = 100

// procStat returns the fields of /proc/PID/stat after the command name.
func procStat(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return strings.Fields(s[i+1:]), nil
}

func parentOf(pid int) (int, error) {
	f, err := procStat(pid)
	if err != nil || len(f) < 2 {
		return 0, fmt.Errorf("parent of %d: %v", pid, err)
	}
	return strconv.Atoi(f[1])
}

// procCPU is a process's user and system time, and with children that of
// its ended children it waited for.
func procCPU(pid int, children bool) (time.Duration, error) {
	f, err := procStat(pid)
	if err != nil || len(f) < 15 {
		return 0, fmt.Errorf("CPU of %d: %v", pid, err)
	}
	fields := f[11:13] // utime, stime
	if children {
		fields = f[11:15] // and cutime, cstime
	}
	var ticks int64
	for _, v := range fields {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
