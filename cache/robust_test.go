package cache

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cgmtop/cgmtop/client"
)

// filledCache writes a closed cache with n readings at path and returns its
// bytes (the write-ahead log is checkpointed into the file on close).
func filledCache(t *testing.T, path string, n int) []byte {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutReadings(ctx, sampleReadings(n, at(0))); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// foreignSQLite writes a SQLite database of another program at path.
func foreignSQLite(t *testing.T, path string, withTable bool) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	stmt := "PRAGMA user_version = 3"
	if withTable {
		stmt = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')"
	}
	if _, err := raw.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRecoversDamagedFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 8192)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		name   string
		make   func(t *testing.T, path string)
		reason string
	}{
		{"random bytes", func(t *testing.T, path string) { os.WriteFile(path, random, 0o600) }, "not a SQLite database"},
		{"a few bytes of text", func(t *testing.T, path string) { os.WriteFile(path, []byte("hello\n"), 0o600) }, "not a SQLite database"},
		{"real cache truncated to half", func(t *testing.T, path string) {
			data := filledCache(t, path, 3000)
			os.WriteFile(path, data[:len(data)/2], 0o600)
		}, "damaged"},
		{"real cache truncated inside its header", func(t *testing.T, path string) {
			data := filledCache(t, path, 10)
			os.WriteFile(path, data[:60], 0o600)
		}, ""},
		{"real cache with a page overwritten", func(t *testing.T, path string) {
			data := filledCache(t, path, 3000)
			for i := 5 * 4096; i < 6*4096; i++ {
				data[i] = byte(rng.UintN(256))
			}
			os.WriteFile(path, data, 0o600)
		}, ""},
		{"another program's SQLite database", func(t *testing.T, path string) { foreignSQLite(t, path, true) }, "not a cgmtop cache"},
		{"another program's SQLite database without tables", func(t *testing.T, path string) { foreignSQLite(t, path, false) }, "not a cgmtop cache"},
		{"stale write-ahead log next to garbage", func(t *testing.T, path string) {
			os.WriteFile(path, random, 0o600)
			os.WriteFile(path+"-wal", random[:4096], 0o600)
			os.WriteFile(path+"-shm", random[:4096], 0o600)
		}, "not a SQLite database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, "cache.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			db, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			msg := db.Recovered()
			t.Logf("Recovered: %s", msg)
			if msg == "" {
				t.Fatal("Recovered() is empty")
			}
			if !strings.Contains(msg, tc.reason) {
				t.Errorf("Recovered() = %q, want it to mention %q", msg, tc.reason)
			}
			asides, _ := filepath.Glob(path + ".corrupt-*")
			var aside string
			for _, a := range asides {
				if !strings.HasSuffix(a, "-wal") && !strings.HasSuffix(a, "-journal") {
					aside = a
				}
			}
			if aside == "" || !strings.Contains(msg, aside) {
				t.Fatalf("aside files %v; Recovered() = %q should name the moved file", asides, msg)
			}
			kept, err := os.ReadFile(aside)
			if err != nil || !bytes.Equal(kept, before) {
				t.Errorf("the moved file does not hold the original bytes (err %v)", err)
			}
			if fi, _ := os.Stat(aside); fi.Mode().Perm() != 0o600 {
				t.Errorf("moved file mode %v, want 0600", fi.Mode().Perm())
			}

			// The fresh cache works and holds nothing from the old file.
			if f, err := db.Freshness(ctx); err != nil || !f.Latest.Time.IsZero() {
				t.Fatalf("fresh cache Freshness = %+v, %v", f, err)
			}
			want := client.Reading{Time: at(1), Value: 101, Status: client.StatusOK}
			if added, err := db.PutReadings(ctx, []client.Reading{want}); err != nil || added != 1 {
				t.Fatalf("PutReadings on the fresh cache = %d, %v", added, err)
			}
			if f, _ := db.Freshness(ctx); !sameReading(f.Latest, want) {
				t.Fatalf("fresh cache latest = %+v", f.Latest)
			}
			db.Close()

			// Reopening the fresh cache is quiet.
			openKept(t, path, "second Open recovered again")
		})
	}
}

func TestOpenAdoptsEmptyFiles(t *testing.T) {
	for name, content := range map[string][]byte{"empty file": nil} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			openKept(t, path, "an empty file is a new cache, not a damaged one")
		})
	}
}

func TestMigratesV1Cache(t *testing.T) {
	ctx := context.Background()
	v1 := openOldSchema(t, 1)
	path := v1.Path()
	want := sampleReadings(50, at(0))
	// As a v1 cgmtop wrote them: today's PutReadings needs schema 3.
	for _, r := range want {
		dt, tz := displayColumns(r.Time, r.DisplayTime)
		rate := sql.NullFloat64{Float64: r.TrendRate, Valid: r.HasRate}
		if _, err := v1.w.ExecContext(ctx, `INSERT INTO readings (t, dt, tz, value, status, trend, rate) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.Time.Unix(), dt, tz, r.Value, statusCode(r.Status), trendCode(r.Trend), rate); err != nil {
			t.Fatal(err)
		}
	}
	if err := v1.SetMeta(ctx, "lag", "3600"); err != nil {
		t.Fatal(err)
	}
	if err := v1.PutEvents(ctx, []client.Event{{ID: "x"}}); err == nil {
		t.Fatal("a v1 cache has no events table; the test setup is wrong")
	}
	v1.Close()

	db := openKept(t, path, "migration must not discard the cache")
	var version int
	db.r.QueryRow("PRAGMA user_version").Scan(&version)
	if version != len(migrations) {
		t.Errorf("user_version %d, want %d", version, len(migrations))
	}
	got, err := db.Readings(ctx, at(-100), at(1))
	if err != nil || len(got) != len(want) {
		t.Fatalf("readings after migration: %d, %v; want %d", len(got), err, len(want))
	}
	for i := range got {
		if !sameReading(got[i], want[i]) {
			t.Fatalf("reading %d changed: %+v, want %+v", i, got[i], want[i])
		}
	}
	if v, _ := db.Meta(ctx, "lag"); v != "3600" {
		t.Errorf("meta after migration %q", v)
	}
	if err := db.PutEvents(ctx, []client.Event{{ID: "x", Time: at(0), Type: "carbs"}}); err != nil {
		t.Errorf("events after migration: %v", err)
	}
}

func TestNewerCacheIsRefusedNotMoved(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	filledCache(t, path, 5)
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	for name, open := range map[string]func(context.Context, string) (*DB, error){"Open": Open, "OpenReader": OpenReader} {
		db, err := open(ctx, path)
		if err == nil {
			db.Close()
			t.Fatalf("%s accepted a cache from a newer cgmtop", name)
		}
		if !strings.Contains(err.Error(), "newer cgmtop") || !strings.Contains(err.Error(), path) {
			t.Errorf("%s error %q should name the path and say a newer cgmtop wrote it", name, err)
		}
	}
	if asides, _ := filepath.Glob(path + ".corrupt-*"); len(asides) != 0 {
		t.Errorf("a newer cache must be left alone, found %v", asides)
	}
}

func TestOpenReaderWithoutCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "cache.db")
	_, err := OpenReader(context.Background(), path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("missing: err = %v, want fs.ErrNotExist naming %s", err, path)
	}
	if _, statErr := os.Stat(filepath.Dir(path)); !errors.Is(statErr, fs.ErrNotExist) {
		t.Error("OpenReader must not create anything")
	}

	// The moment between a writer creating the file and setting it up.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	_, err = OpenReader(context.Background(), path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "not set up yet") {
		t.Fatalf("empty: err = %v, want fs.ErrNotExist saying it is not set up", err)
	}
}

// TestUnwritablePlaces covers what can be made unwritable even for root:
// a data folder whose parent is a regular file. Permission bits (a 0500
// folder, a 0400 file) are covered by TestReadOnlyPermissions, which skips
// as root because root ignores them.
func TestUnwritablePlaces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blocker := filepath.Join(dir, "data")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "accounts", "default", "cache.db")
	_, err := Open(ctx, path)
	if err == nil {
		t.Fatal("Open succeeded under a regular file")
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), filepath.Dir(path)) {
		t.Errorf("error %q should name the path", err)
	}
	if !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("error %q should say what is wrong", err)
	}
}

// TestDiskFull makes SQLite run out of room through max_page_count, which
// takes the same SQLITE_FULL path as a full disk.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	first := sampleReadings(100, at(0))
	if _, err := db.PutReadings(ctx, first); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec("PRAGMA max_page_count = " + strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	_, err := db.PutReadings(ctx, sampleReadings(5000, at(6000)))
	if err == nil {
		t.Fatal("PutReadings succeeded past max_page_count")
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), "full") || !strings.Contains(err.Error(), db.Path()) {
		t.Errorf("error %q should say the disk is full and name the path", err)
	}
	got, err := db.Readings(ctx, at(-1000), at(10000))
	if err != nil || len(got) != len(first) {
		t.Fatalf("after the failed write: %d readings, %v; want the %d committed before", len(got), err, len(first))
	}
	if _, err := db.w.Exec("PRAGMA max_page_count = 1000000"); err != nil {
		t.Fatal(err)
	}
	if added, err := db.PutReadings(ctx, sampleReadings(5000, at(6000))); err != nil || added != 5000 {
		t.Fatalf("after freeing space: %d, %v", added, err)
	}
}

func TestRemove(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	path := db.Path()
	db.PutReadings(ctx, sampleReadings(10, at(0)))
	r, _ := OpenReader(ctx, path)
	r.Freshness(ctx)
	r.Close()
	db.Close()
	os.WriteFile(path+"-journal", nil, 0o600)
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(path + "*")
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if err := Remove(path); err != nil {
		t.Errorf("Remove of a missing cache = %v, want nil", err)
	}
}

// TestStaleWALOfADeletedCacheIsNotReplayed: a user deletes cache.db by hand
// and leaves cache.db-wal; the new cache must not inherit its pages.
func TestStaleWALOfADeletedCacheIsNotReplayed(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	path := db.Path()
	if _, err := db.PutReadings(ctx, sampleReadings(20, at(0))); err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(path + "-wal")
	if err != nil || len(wal) == 0 {
		t.Fatalf("expected committed frames in the -wal while open: %d bytes, %v", len(wal), err)
	}
	db.Close()
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-wal", wal, 0o600); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := db.Freshness(ctx)
	if err != nil || !f.Latest.Time.IsZero() || db.Recovered() != "" {
		t.Fatalf("new cache: %+v, %v, recovered %q; want empty and quiet", f.Latest, err, db.Recovered())
	}
}

// TestReaderSeesDamage: a reader that must not repair (cgmtop doctor)
// learns that the file is damaged, as ErrDamaged, and a sound cache passes
// Verify.
func TestReaderSeesDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	data := filledCache(t, path, 3000)

	db, err := OpenReader(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Verify(ctx); err != nil {
		t.Errorf("Verify on a sound cache: %v", err)
	}
	db.Close()

	check := func(name string, bad []byte) {
		t.Helper()
		os.WriteFile(path, bad, 0o600)
		db, err := OpenReader(ctx, path)
		if err == nil {
			err = db.Verify(ctx)
			if err == nil {
				_, err = db.Freshness(ctx)
			}
			db.Close()
		}
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: reader error %v, want ErrDamaged", name, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, bad) {
			t.Errorf("%s: the reader changed the file", name)
		}
	}
	check("garbage", bytes.Repeat([]byte("not a database "), 4096))
	check("truncated to half", data[:len(data)/2])
}
