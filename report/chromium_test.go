package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// TestHTMLPrintsOnOnePage prints the 14- and 90-day pages to PDF with
// headless Chromium, offline, and counts the pages: a clinic gets one
// sheet. Skipped where Chromium is not installed.
func TestHTMLPrintsOnOnePage(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no Chromium (apt-get install chromium)")
	}
	pageObj := regexp.MustCompile(`/Type\s*/Page[^s]`)
	for _, days := range []int{14, 90} {
		p := testProfile(t, days)
		dir := t.TempDir()
		html := filepath.Join(dir, "agp.html")
		var b bytes.Buffer
		if err := HTML(&b, p, client.MgDL, testEnd); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(html, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		pdf := filepath.Join(dir, "agp.pdf")
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		out, err := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer",
			"--print-to-pdf="+pdf, "file://"+html).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, out)
		}
		data, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(pageObj.FindAll(data, -1)); n != 1 {
			t.Errorf("%d days: the page prints on %d sheets, want 1", days, n)
		}
	}
}
