package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
)

// secretSource says where a login command may take its secret (a
// password, a token) from. A secret is never a flag's value: a command
// line shows in the process list and the shell's history.
type secretSource struct {
	what   string // "password", "token": for the error when stdin is empty
	flag   string // the flag that reads it from standard input, "--password-stdin"
	env    string // the environment variable that may hold it
	hint   string // lines said before the prompt, if any
	prompt string // the hidden prompt, "Dexcom password (hidden): "
}

// readSecret reads the secret from the first line of standard input when
// fromStdin (the source's --…-stdin flag), else from the environment
// variable when it is set, else at a hidden prompt. Only the line ending
// is cut from standard input and nothing from the environment: a password
// may begin or end with a space. (The prompt trims, as ask does.)
func readSecret(ctx context.Context, in *bufio.Reader, std stdio, fromStdin bool, s secretSource) (string, error) {
	switch {
	case fromStdin:
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", usageError("%s: no %s on standard input", s.flag, s.what)
		}
		return strings.TrimRight(line, "\r\n"), nil
	case s.env != "" && os.Getenv(s.env) != "":
		return os.Getenv(s.env), nil
	}
	if s.hint != "" {
		fmt.Fprintln(std.err, s.hint)
	}
	return ask(ctx, in, std, s.prompt, true)
}
