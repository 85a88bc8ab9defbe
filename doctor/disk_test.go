package doctor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cgmtop/cgmtop/config"
)

// TestCheckDisk: a full disk under the cache fails doctor (it said "All
// good" at 100 %), an almost full one warns, and folders on one disk are
// said once. The disk is injected here; TestDoctorFullDisk fills a real one.
func TestCheckDisk(t *testing.T) {
	root := t.TempDir()
	paths := config.Under(root)
	full := filepath.Join(root, "data")
	free := func(space map[string]uint64) func(string) (uint64, string, error) {
		return func(dir string) (uint64, string, error) {
			if dir == full {
				return space["data"], "data-disk", nil
			}
			return space["home"], "home-disk", nil
		}
	}
	tests := []struct {
		name  string
		space map[string]uint64
		want  []string // level mark and words, one a finding
	}{
		{"roomy", map[string]uint64{"data": 50 << 30, "home": 50 << 30},
			[]string{"✓ 50.0 GB free for the cache", "✓ 50.0 GB free for the logins and the settings"}},
		{"full", map[string]uint64{"data": 0, "home": 50 << 30},
			[]string{"✗ the disk of " + full + " is full (0 bytes free): cgmtop cannot save the cache", "✓ 50.0 GB free for the logins and the settings"}},
		{"a few MB", map[string]uint64{"data": 3 << 20, "home": 50 << 30},
			[]string{"✗ the disk of " + full + " is full (3.0 MB free)", "✓"}},
		{"low", map[string]uint64{"data": 60 << 20, "home": 60 << 20},
			[]string{"! the disk of " + full + " is almost full (60.0 MB free), where cgmtop keeps the cache", "! the disk of"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "roomy" {
				if err := os.MkdirAll(full, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			got := checkDisk(Env{Paths: paths, FreeSpace: free(tt.space)})
			if tt.name == "roomy" {
				// Nothing made yet: all three are on the home's disk.
				if len(got) != 1 || !strings.Contains(got[0].Say, "free for the cache, the logins and the settings") {
					t.Fatalf("got %+v", got)
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, f := range got {
				line := f.Level.mark(false) + " " + f.Say
				if !strings.HasPrefix(line, tt.want[i]) {
					t.Errorf("finding %d: %q, want it to start %q", i, line, tt.want[i])
				}
				if f.Level != OK && !strings.Contains(f.Fix, "df -h "+root) {
					t.Errorf("finding %d: fix %q does not say where to look", i, f.Fix)
				}
			}
		})
	}

	got := checkDisk(Env{Paths: paths, FreeSpace: func(string) (uint64, string, error) { return 0, "", errors.New("no such device") }})
	if len(got) != 1 || got[0].Level != Warn || !strings.Contains(got[0].Say, "cannot tell the free space") {
		t.Errorf("statfs failing: %+v", got)
	}
}
