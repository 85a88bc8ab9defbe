package auth

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/internal/testio"
)

const chromiumPath = "/usr/bin/chromium"

// The whole handoff in a real browser: headless Chromium loads the
// emulator's consent page, a real mouse click (through the DevTools
// protocol) presses Allow, and Chromium follows the redirect to the callback
// server. The stored login then works against the API.
func TestChromiumLogin(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s: install the Debian package chromium to run the real-browser login test (CI must)", chromiumPath)
	}
	env := newEnv(t, emulator.Config{AccessTTL: time.Minute})
	ctx := testContext(t)
	b := &chromium{t: t, ctx: ctx, dataDir: t.TempDir()}
	defer b.close()

	var out testio.Buffer
	store := env.fileStore()
	tok, err := Connect(ctx, store, env.emu.URL(), LoginOptions{OAuth: env.oauth(), OpenBrowser: b.open, Out: &out, Timeout: time.Minute})
	if err != nil {
		t.Fatalf("Connect through Chromium: %v\nchromium: %s", err, b.stderr())
	}
	if err := b.clickErr(); err != nil {
		t.Fatalf("driving Chromium: %v", err)
	}
	// The tab shows cgmtop's own page at the redirect URI.
	page, err := b.waitFor(`document.getElementById("connected") ? location.origin + location.pathname : ""`)
	if err != nil || page != env.redirect {
		t.Errorf("the browser ended on %q (%v), want the connected page at %s", page, err, env.redirect)
	}
	if _, err := store.Load(ctx); err != nil {
		t.Fatal(err)
	}
	ts := env.tokenSource(env.fileStore())
	ts.Seed(tok)
	if err := apiCall(ctx, env.emu.URL(), ts); err != nil {
		t.Fatalf("API call with the login made in Chromium: %v", err)
	}
}

// A page open in the browser during the login sends the callback what an
// attacker would (error=access_denied, a code with a forged state, a code
// with none). Chromium really sends them; the login ignores them and
// finishes when Allow is pressed.
func TestChromiumStrayRequests(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s: install the Debian package chromium to run the real-browser login test (CI must)", chromiumPath)
	}
	env := newEnv(t, emulator.Config{})
	ctx := testContext(t)
	b := &chromium{t: t, ctx: ctx, dataDir: t.TempDir(), stray: `(async () => {
		for (const q of ["error=access_denied", "error=access_denied&state=forged", "code=stolen&state=forged", "code=stolen"]) {
			await fetch("` + env.redirect + `?" + q, {mode: "no-cors"}).catch(() => {});
		}
		return "sent";
	})()`}
	defer b.close()
	var out testio.Buffer
	tok, err := Login(ctx, LoginOptions{OAuth: env.oauth(), OpenBrowser: b.open, Out: &out, Timeout: time.Minute})
	if err != nil {
		t.Fatalf("Login with stray requests from a page in Chromium: %v\nchromium: %s", err, b.stderr())
	}
	if err := b.clickErr(); err != nil {
		t.Fatalf("driving Chromium: %v", err)
	}
	if tok.RefreshToken == "" || !strings.Contains(out.String(), "Ignored a request") {
		t.Errorf("the stray requests did not arrive, or the login did not finish:\n%s", out.String())
	}
}

// chromium runs headless Chromium over --remote-debugging-pipe: DevTools
// protocol messages as NUL-terminated JSON on fds 3 (to Chromium) and 4
// (from it), so no websocket client is needed.
type chromium struct {
	t       *testing.T
	ctx     context.Context
	dataDir string
	// stray, when set, is JavaScript the consent page runs before Allow is
	// pressed: another page's requests to the callback, say.
	stray string

	cmd    *exec.Cmd
	errOut testio.Buffer
	toCDP  io.WriteCloser

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpReply
	session string
	clicked chan error
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// open is the LoginOptions.OpenBrowser hook: start Chromium on the URL and
// press Allow once the consent page is there.
func (c *chromium) open(url string) error {
	toR, toW, err := os.Pipe()
	if err != nil {
		return err
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		return err
	}
	c.cmd = exec.Command(chromiumPath,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--no-default-browser-check",
		"--user-data-dir="+c.dataDir, "--remote-debugging-pipe", url)
	c.cmd.Env = append(os.Environ(), "HOME="+c.dataDir)
	c.cmd.ExtraFiles = []*os.File{toR, fromW}
	c.cmd.Stderr = &c.errOut
	if err := c.cmd.Start(); err != nil {
		return err
	}
	toR.Close()
	fromW.Close()
	c.toCDP = toW
	c.waiting = map[int]chan cdpReply{}
	c.clicked = make(chan error, 1)
	go c.read(fromR)
	go func() { c.clicked <- c.pressAllow() }()
	return nil
}

func (c *chromium) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m struct {
			ID int `json:"id"`
			cdpReply
		}
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
			continue // an event
		}
		c.mu.Lock()
		ch := c.waiting[m.ID]
		delete(c.waiting, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

// call sends one DevTools command and waits for its answer.
func (c *chromium) call(method string, params any, result any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan cdpReply, 1)
	c.waiting[id] = ch
	msg := map[string]any{"id": id, "method": method, "params": params}
	if c.session != "" && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = c.session
	}
	data, _ := json.Marshal(msg)
	_, err := c.toCDP.Write(append(data, 0))
	c.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case reply := <-ch:
		if reply.Error != nil {
			return fmt.Errorf("%s: %s", method, reply.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(reply.Result, result)
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s: Chromium did not answer", method)
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
}

// waitFor polls a JavaScript expression in the page until it yields a
// non-empty string.
func (c *chromium) waitFor(expr string) (string, error) {
	for range 600 {
		var r struct {
			Result struct {
				Value any `json:"value"`
			} `json:"result"`
		}
		if err := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r); err != nil {
			return "", err
		}
		if s, ok := r.Result.Value.(string); ok && s != "" {
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("gave up waiting for %s", expr)
}

func (c *chromium) pressAllow() error {
	var targets struct {
		TargetInfos []struct {
			TargetID string `json:"targetId"`
			Type     string `json:"type"`
		} `json:"targetInfos"`
	}
	var page string
	for range 200 {
		if err := c.call("Target.getTargets", map[string]any{}, &targets); err != nil {
			return err
		}
		for _, ti := range targets.TargetInfos {
			if ti.Type == "page" {
				page = ti.TargetID
			}
		}
		if page != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if page == "" {
		return errors.New("Chromium opened no page")
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call("Target.attachToTarget", map[string]any{"targetId": page, "flatten": true}, &attached); err != nil {
		return err
	}
	c.mu.Lock()
	c.session = attached.SessionID
	c.mu.Unlock()

	// Where the Allow button is on screen, once the consent page is up.
	pos, err := c.waitFor(`(() => {
		const b = document.querySelector("button[value=allow]");
		if (!b || document.readyState !== "complete") return "";
		const r = b.getBoundingClientRect();
		return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]);
	})()`)
	if err != nil {
		return fmt.Errorf("the consent page never showed an Allow button: %w", err)
	}
	var xy [2]float64
	if err := json.Unmarshal([]byte(pos), &xy); err != nil {
		return err
	}
	if c.stray != "" {
		var r struct {
			Result struct {
				Value any `json:"value"`
			} `json:"result"`
		}
		if err := c.call("Runtime.evaluate", map[string]any{"expression": c.stray, "awaitPromise": true, "returnByValue": true}, &r); err != nil {
			return fmt.Errorf("the stray requests: %w", err)
		}
		if r.Result.Value != "sent" {
			return fmt.Errorf("the stray requests: page script gave %v", r.Result.Value)
		}
	}
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		ev := map[string]any{"type": typ, "x": xy[0], "y": xy[1], "button": "left", "clickCount": 1}
		if typ == "mouseMoved" {
			ev["button"], ev["clickCount"] = "none", 0
		}
		if err := c.call("Input.dispatchMouseEvent", ev, nil); err != nil {
			return err
		}
	}
	return nil
}

func (c *chromium) clickErr() error {
	select {
	case err := <-c.clicked:
		return err
	case <-time.After(time.Minute):
		return errors.New("the click never finished")
	}
}

func (c *chromium) stderr() string { return c.errOut.String() }

func (c *chromium) close() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.call("Browser.close", map[string]any{}, nil)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
	c.toCDP.Close()
}
