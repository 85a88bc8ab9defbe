package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// loggedIn runs a full login against env and returns the file store holding it.
func loggedIn(t *testing.T, env *testEnv) Store {
	t.Helper()
	store := env.fileStore()
	b := &goBrowser{decision: "allow"}
	if _, err := Connect(testContext(t), store, env.emu.URL(), LoginOptions{OAuth: env.oauth(), OpenBrowser: b.open}); err != nil {
		t.Fatalf("Connect: %v (browser: %v)", err, b.errs)
	}
	return store
}

func TestTokenReusedUntilExpiry(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	ts := env.tokenSource(loggedIn(t, env))
	ctx := testContext(t)
	first, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ts.Token(ctx)
	if again != first {
		t.Error("Token refreshed a token that had hours to live")
	}
	forced, err := ts.Refresh(ctx)
	if err != nil || forced == first {
		t.Fatalf("Refresh = %v; want a new access token", err)
	}
	if err := apiCall(ctx, env.emu.URL(), ts); err != nil {
		t.Fatal(err)
	}
}

// Refreshing rotates the refresh token; each new one is stored before the
// access token is used, so a fresh process can always go on.
func TestRefreshPersistsRotation(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	store := loggedIn(t, env)
	ctx := testContext(t)
	before, _ := store.Load(ctx)
	if _, err := forceRefresh(ctx, env.tokenSource(store)); err != nil {
		t.Fatal(err)
	}
	after, _ := store.Load(ctx)
	if after.RefreshToken == before.RefreshToken {
		t.Fatal("the rotated refresh token was not stored")
	}
	// A new process (fresh TokenSource, fresh store instance) carries on.
	if err := apiCall(ctx, env.emu.URL(), env.tokenSource(env.fileStore())); err != nil {
		t.Fatal(err)
	}
}

// staleOnce hands out an old refresh token on its first Load, as if another
// program had rotated the token without taking the lock.
type staleOnce struct {
	Store
	mu    sync.Mutex
	stale *Credentials
}

func (s *staleOnce) Load(ctx context.Context) (Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stale != nil {
		c := *s.stale
		s.stale = nil
		return c, nil
	}
	return s.Store.Load(ctx)
}

func TestInvalidGrantRereadsStore(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	store := loggedIn(t, env)
	ctx := testContext(t)
	old, _ := store.Load(ctx)
	if _, err := forceRefresh(ctx, env.tokenSource(store)); err != nil { // rotates: old is now dead
		t.Fatal(err)
	}
	ts := env.tokenSource(&staleOnce{Store: store, stale: &old})
	if _, err := ts.Token(ctx); err != nil {
		t.Fatalf("Token after a stale read: %v; want a retry with the stored token", err)
	}
}

func TestDeadLogin(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	store := loggedIn(t, env)
	ctx := testContext(t)
	creds, _ := store.Load(ctx)
	creds.RefreshToken = "revoked-by-the-user"
	creds.AccessToken = "" // so that Token must refresh
	store.Save(ctx, creds)

	ts := env.tokenSource(store)
	_, err := ts.Token(ctx)
	if !errors.Is(err, client.ErrUnauthorized) || !strings.Contains(err.Error(), "cgmtop login") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Token with a revoked login = %v; want one line wrapping client.ErrUnauthorized", err)
	}
	calls := env.emu.Stats()["token"]
	for range 3 {
		if _, err := ts.Refresh(ctx); !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("Refresh with a dead login = %v", err)
		}
	}
	if n := env.emu.Stats()["token"]; n != calls {
		t.Errorf("a dead login kept calling the token endpoint: %d more calls", n-calls)
	}
	if _, err := store.Load(ctx); err != nil {
		t.Errorf("a refused refresh deleted the stored login: %v", err)
	}

	// A wrong client secret is a dead login too.
	creds, _ = store.Load(ctx)
	fresh := loggedIn(t, env)
	good, _ := fresh.Load(ctx)
	good.ClientSecret, good.AccessToken = "wrong", ""
	fresh.Save(ctx, good)
	if _, err := env.tokenSource(fresh).Token(ctx); !errors.Is(err, client.ErrUnauthorized) || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("Token with a wrong secret = %v", err)
	}

	// Nothing stored at all.
	fresh.Delete(ctx)
	if _, err := env.tokenSource(fresh).Token(ctx); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("Token with no login = %v", err)
	}
}

// failingSave refuses to save a given number of times.
type failingSave struct {
	Store
	mu    sync.Mutex
	fails int
}

func (s *failingSave) Save(ctx context.Context, c Credentials) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails > 0 {
		s.fails--
		return errors.New("disk full")
	}
	return s.Store.Save(ctx, c)
}

// A rotated refresh token that could not be saved is kept, not lost.
func TestUnsavedRotationIsKept(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	store := &failingSave{Store: loggedIn(t, env), fails: 1}
	ts := env.tokenSource(store)
	ctx := testContext(t)
	if _, err := forceRefresh(ctx, ts); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Refresh with a failing save = %v", err)
	}
	if _, err := ts.Refresh(ctx); err != nil {
		t.Fatalf("Refresh once the store works again: %v", err)
	}
	if err := apiCall(ctx, env.emu.URL(), env.tokenSource(env.fileStore())); err != nil {
		t.Fatalf("the stored login is dead after a failed save: %v", err)
	}
}

// Eight "processes" (own store instance, own TokenSource, one lock path)
// refresh at the same instant against rotating refresh tokens. Without the
// lock, all but one would present a retired refresh token and be logged out.
func TestConcurrentRefreshGoroutines(t *testing.T) {
	env := newEnv(t, emulator.Config{AccessTTL: 2 * time.Second})
	loggedIn(t, env)
	ctx := testContext(t)
	const workers, rounds = 8, 3
	sources := make([]*TokenSource, workers)
	for i := range sources {
		sources[i] = env.tokenSource(env.fileStore())
	}
	for round := range rounds {
		var start, done sync.WaitGroup
		start.Add(1)
		errs := make([]error, workers)
		for i, ts := range sources {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				if _, err := ts.Refresh(ctx); err != nil {
					errs[i] = err
					return
				}
				errs[i] = apiCall(ctx, env.emu.URL(), ts)
			}()
		}
		start.Done()
		done.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, worker %d: %v", round, i, err)
			}
		}
	}
	if err := apiCall(ctx, env.emu.URL(), env.tokenSource(env.fileStore())); err != nil {
		t.Fatalf("the stored login no longer works: %v", err)
	}
}

// The same with eight real processes: the test binary re-run as children
// that each refresh a few times against the shared token file and lock.
func TestConcurrentRefreshProcesses(t *testing.T) {
	if os.Getenv("CGMTOP_TEST_REFRESH_CHILD") != "" {
		refreshChild(t)
		return
	}
	env := newEnv(t, emulator.Config{AccessTTL: 2 * time.Second})
	loggedIn(t, env)
	const procs = 8
	cmds := make([]*exec.Cmd, procs)
	outs := make([]strings.Builder, procs)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestConcurrentRefreshProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "CGMTOP_TEST_REFRESH_CHILD=1",
			"CGMTOP_TEST_EMULATOR="+env.emu.URL(), "CGMTOP_TEST_TOKEN_FILE="+env.paths.TokenFile("default"),
			"CGMTOP_TEST_LOCK="+env.lockPath())
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		cmds[i] = cmd
	}
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	// Each child refuses its token three times, but a child that finds a
	// token another one renewed meanwhile takes it instead of refreshing.
	n := env.emu.Stats()["token"]
	if n < 2 {
		t.Errorf("only %d token calls: the children did not refresh", n)
	}
	t.Logf("%d children refused their token 3 times each: %d token calls", procs, n)
	if err := apiCall(testContext(t), env.emu.URL(), env.tokenSource(env.fileStore())); err != nil {
		t.Fatalf("the stored login no longer works: %v", err)
	}
}

func refreshChild(t *testing.T) {
	base := os.Getenv("CGMTOP_TEST_EMULATOR")
	store := NewFileStore(os.Getenv("CGMTOP_TEST_TOKEN_FILE"))
	ts := NewTokenSource(store, dexcom.OAuthConfig(base, "", "", ""), dexcom.NewHTTPClient(), os.Getenv("CGMTOP_TEST_LOCK"), nil)
	ctx := context.Background()
	for i := range 3 {
		if _, err := forceRefresh(ctx, ts); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if err := apiCall(ctx, base, ts); err != nil {
			t.Fatalf("API call %d: %v", i, err)
		}
	}
	fmt.Println("child refreshed 3 times")
}

// forceRefresh refuses the access token ts holds, as a 401 does. A fresh
// TokenSource first takes the one the login stored.
func forceRefresh(ctx context.Context, ts *TokenSource) (string, error) {
	if _, err := ts.Token(ctx); err != nil {
		return "", err
	}
	return ts.Refresh(ctx)
}

// TestRefreshesPerDay is issue 11's count of refreshes with the status
// line's background sync: every 5 s of a day on a hand-moved clock a new
// process (its own store and TokenSource, as `cgmtop sync --background`
// is) asks for a token. Sharing the access token through the store, the
// account spends one refresh per access token lifetime (2 h in the
// emulator, as at Dexcom), not one per process (288 a day before).
func TestRefreshesPerDay(t *testing.T) {
	clk := clock.NewManual(time.Now())
	env := newEnv(t, emulator.Config{Clock: clk})
	loggedIn(t, env)
	ctx := testContext(t)
	before := env.emu.Stats()["token"]
	const every, day = 5 * time.Second, 24 * time.Hour
	for elapsed := time.Duration(0); elapsed < day; elapsed += every {
		ts := NewTokenSource(env.fileStore(), dexcom.OAuthConfig(env.emu.URL(), "", "", ""), dexcom.NewHTTPClient(), env.lockPath(), clk)
		if _, err := ts.Token(ctx); err != nil {
			t.Fatalf("after %v: %v", elapsed, err)
		}
		clk.Advance(every)
	}
	refreshes := env.emu.Stats()["token"] - before
	lifetime := env.emu.Config().AccessTTL
	if most := int(day/lifetime) + 1; refreshes > most {
		t.Errorf("%d refreshes in a day; want at most one per %v access token lifetime (%d)", refreshes, lifetime, most)
	}
	t.Logf("%d token requests in a day, one process every %v; access tokens live %v", refreshes, every, lifetime)
	if err := apiCall(ctx, env.emu.URL(), env.tokenSource(env.fileStore())); err != nil {
		t.Fatal(err)
	}
}
