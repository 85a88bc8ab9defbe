package cache

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

var (
	stressFor = flag.Duration("stress", 3*time.Second, "how long TestStress writes while 4 processes read")
	crashes   = flag.Int("crashes", 10, "how many times TestCrash kills the writing process")
)

// Environment of the helper processes started by TestStress and TestCrash.
const (
	helperEnv = "CGMTOP_CACHE_HELPER" // "reader" or "writer"
	pathEnv   = "CGMTOP_CACHE_PATH"
	untilEnv  = "CGMTOP_CACHE_UNTIL" // readers stop at this unix nanosecond
	seedEnv   = "CGMTOP_CACHE_SEED"
)

// stressReading is the nth reading of the stress and crash tests. Every
// field derives from n, so a reader can tell a torn or mixed-up row from a
// good one.
func stressReading(n int) client.Reading {
	t := base.Add(time.Duration(n) * 5 * time.Minute)
	r := client.Reading{
		Time:        t,
		DisplayTime: t.Add(time.Duration(n%60) * time.Second).In(time.FixedZone("", 3600)),
		Value:       40 + (n*37)%361,
		Status:      []client.Status{client.StatusOK, client.StatusOK, client.StatusHigh, client.StatusLow, client.StatusUnknown}[n%5],
		Trend:       trendCodes[n%len(trendCodes)],
	}
	if n%3 != 0 {
		r.TrendRate, r.HasRate = float64(n%13)-6.5, true
	}
	return r
}

// stressIndex is the n of a stress reading's time.
func stressIndex(t time.Time) int { return int(t.Sub(base) / (5 * time.Minute)) }

// TestHelperProcess is not a test: TestStress and TestCrash run the test
// binary again with helperEnv set to make it a reader or a writer process.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		return
	}
	var err error
	switch role {
	case "reader":
		err = readerProcess(os.Getenv(pathEnv), os.Getenv(untilEnv))
	case "writer":
		err = writerProcess(os.Getenv(pathEnv), os.Getenv(seedEnv))
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// readerProcess reads the newest reading in a loop, as `cgmtop status` from
// many tmux panes would: every other read opens the cache afresh, the
// others reuse one handle, like the monitor.
func readerProcess(path, until string) error {
	ctx := context.Background()
	stop, err := strconv.ParseInt(until, 10, 64)
	if err != nil {
		return err
	}
	held, err := OpenReader(ctx, path)
	if err != nil {
		return err
	}
	defer held.Close()
	last, reads := -1, 0
	for i := 0; time.Now().UnixNano() < stop; i++ {
		var f Freshness
		if i%2 == 0 {
			db, err := OpenReader(ctx, path)
			if err != nil {
				return fmt.Errorf("read %d: %w", i, err)
			}
			f, err = db.Freshness(ctx)
			if cerr := db.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("read %d: %w", i, err)
			}
		} else if f, err = held.Freshness(ctx); err != nil {
			return fmt.Errorf("read %d: %w", i, err)
		}
		if err := checkFreshness(f, last); err != nil {
			return fmt.Errorf("read %d: %w", i, err)
		}
		last = stressIndex(f.Latest.Time)
		reads++
	}
	fmt.Printf("reads %d\n", reads)
	return nil
}

// checkFreshness says what is wrong with a freshness read in the stress
// test, given the index of the newest reading seen before.
func checkFreshness(f Freshness, last int) error {
	if f.Latest.Time.IsZero() {
		return errors.New("no newest reading")
	}
	n := stressIndex(f.Latest.Time)
	if n < last {
		return fmt.Errorf("newest reading went back in time: %d after %d", n, last)
	}
	if !sameReading(f.Latest, stressReading(n)) {
		return fmt.Errorf("newest reading %d is not what was written", n)
	}
	// Batches are contiguous and commit whole, so the one before is always
	// exactly one step older.
	if !sameReading(f.Previous, stressReading(n-1)) {
		return fmt.Errorf("previous reading of %d is not %d", n, n-1)
	}
	return nil
}

// helper starts the test binary as a helper process.
func helper(t *testing.T, role string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append(env, helperEnv+"="+role)...)
	return cmd
}

// TestStress is issue 5's acceptance: one writer commits batches of
// readings while four processes read the newest one in a loop. No read may
// fail, wait out the busy timeout, or see an inconsistent state.
func TestStress(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	path := db.Path()
	next := 0
	put := func(k int) {
		batch := make([]client.Reading, k)
		for i := range batch {
			batch[i] = stressReading(next + i)
		}
		added, err := db.PutReadings(ctx, batch)
		if err != nil {
			t.Fatalf("write at %d: %v", next, err)
		}
		if added != k {
			t.Fatalf("write at %d added %d, want %d", next, added, k)
		}
		next += k
	}
	put(2)

	until := time.Now().Add(*stressFor)
	type result struct {
		out string
		err error
	}
	results := make([]result, 4)
	var wg sync.WaitGroup
	for i := range results {
		cmd := helper(t, "reader", pathEnv+"="+path, untilEnv+"="+strconv.FormatInt(until.UnixNano(), 10))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.Output()
			if err != nil {
				err = fmt.Errorf("%w: %s", err, stderr.String())
			}
			results[i] = result{string(out), err}
		}()
	}

	rng := rand.New(rand.NewPCG(5, 7))
	commits := 0
	for time.Now().Before(until) {
		put(1 + rng.IntN(12))
		commits++
		if commits%50 == 0 {
			// Purge and status writes too, as the sync engine does; keep
			// far more than the readers look at.
			if err := db.PutSyncStatus(ctx, SyncStatus{LastAttempt: time.Now(), LastSuccess: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Purge(ctx, base.Add(time.Duration(next-2000)*5*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	var reads []string
	for i, r := range results {
		if r.err != nil {
			t.Errorf("reader %d: %v", i, r.err)
		}
		reads = append(reads, strings.TrimSpace(strings.TrimPrefix(r.out, "reads ")))
	}
	t.Logf("%s: %d commits (%d readings) by the writer; reads per reader process: %s",
		*stressFor, commits, next, strings.Join(reads, ", "))
}

// writerProcess writes batches of readings forever, continuing from the
// newest one stored, and prints "committed N" after each commit. TestCrash
// kills it.
func writerProcess(path, seed string) error {
	ctx := context.Background()
	s, _ := strconv.ParseUint(seed, 10, 64)
	rng := rand.New(rand.NewPCG(s, 11))
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	f, err := db.Freshness(ctx)
	if err != nil {
		return err
	}
	next := 0
	if !f.Latest.Time.IsZero() {
		next = stressIndex(f.Latest.Time) + 1
	}
	for {
		batch := make([]client.Reading, 1+rng.IntN(40))
		for i := range batch {
			batch[i] = stressReading(next + i)
		}
		if _, err := db.PutReadings(ctx, batch); err != nil {
			return err
		}
		next += len(batch)
		if rng.IntN(4) == 0 {
			if err := db.SetMeta(ctx, "next", strconv.Itoa(next)); err != nil {
				return err
			}
		}
		// Unbuffered: once the parent reads this line, the commit happened.
		fmt.Printf("committed %d\n", next-1)
	}
}

// TestCrash is issue 5's other acceptance: kill -9 the writer at random
// points; every reading it reported committed must be there afterwards,
// and the cache must open cleanly (Open runs quick_check).
func TestCrash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	rng := rand.New(rand.NewPCG(3, 9))
	committed, checked, early := -1, 0, 0
	for round := range *crashes {
		cmd := helper(t, "writer", pathEnv+"="+path, seedEnv+"="+strconv.Itoa(round))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan int)
		go func() {
			most := -1
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
					most, _ = strconv.Atoi(n)
				}
			}
			done <- most
		}()
		// From 0 ms (often inside Open or a migration) to a few hundred
		// commits.
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		cmd.Process.Kill()
		most := <-done
		cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("round %d: writer failed before it was killed: %s", round, stderr.String())
		}
		if most > committed {
			committed = most
		}
		if most < 0 {
			early++
		}

		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		if db.Recovered() != "" {
			t.Fatalf("round %d: a killed writer damaged the cache: %s", round, db.Recovered())
		}
		// Everything up to what the writer reported must be there, in one
		// unbroken run; the readings written since the last round are
		// compared field by field.
		var count, first, last int64
		err = db.r.QueryRowContext(ctx, `SELECT count(*), coalesce(min(t), 0), coalesce(max(t), 0) FROM readings`).Scan(&count, &first, &last)
		if err != nil {
			db.Close()
			t.Fatalf("round %d: %v", round, err)
		}
		if count < int64(committed+1) || (count > 0 && (first != base.Unix() || (last-first)/300+1 != count)) {
			db.Close()
			t.Fatalf("round %d: %d readings stored from %d to %d, but the writer reported %d committed from %d",
				round, count, first, last, committed+1, base.Unix())
		}
		rs, err := db.Readings(ctx, stressReading(checked).Time, time.Unix(last+1, 0))
		db.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for i, r := range rs {
			if !sameReading(r, stressReading(checked+i)) {
				t.Fatalf("round %d: reading %d is not what was written", round, checked+i)
			}
		}
		checked += len(rs)
	}
	t.Logf("%d kills (%d before the writer's first commit: during start-up or Open); %d readings reported committed, all present",
		*crashes, early, committed+1)
}
