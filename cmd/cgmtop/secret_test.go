package main

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestReadSecret: standard input when its flag is given, else the
// environment, else the prompt (not a terminal here, so it reads the
// line); only the line ending is cut, and an empty stdin is a usage error
// naming the flag.
func TestReadSecret(t *testing.T) {
	src := secretSource{what: "password", flag: "--password-stdin", env: "CGMTOP_TEST_SECRET", hint: "a hint", prompt: "Password (hidden): "}
	read := func(input string, fromStdin bool) (string, string, error) {
		var errOut bytes.Buffer
		std := stdio{in: strings.NewReader(input), out: &bytes.Buffer{}, err: &errOut}
		got, err := readSecret(t.Context(), bufio.NewReader(std.in), std, fromStdin, src)
		return got, errOut.String(), err
	}

	t.Setenv("CGMTOP_TEST_SECRET", " from env ")
	if got, said, err := read(" from stdin \r\nmore\n", true); err != nil || got != " from stdin " || said != "" {
		t.Errorf("stdin: %q, said %q, %v", got, said, err)
	}
	if got, said, err := read("typed\n", false); err != nil || got != " from env " || said != "" {
		t.Errorf("env: %q, said %q, %v", got, said, err)
	}
	_, _, err := read("", true)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || err.Error() != "--password-stdin: no password on standard input" {
		t.Errorf("empty stdin: %v", err)
	}

	t.Setenv("CGMTOP_TEST_SECRET", "")
	if got, said, err := read(" typed \n", false); err != nil || got != "typed" || said != "a hint\nPassword (hidden): " {
		t.Errorf("prompt: %q, said %q, %v", got, said, err)
	}
}
