//go:build mandoc

package main

// The man pages are generated from the command tree at release time, by a
// binary built with this file:
//
//	go run -tags mandoc ./cmd/cgmtop __man DIR
//
// cobra/doc and its Markdown-to-roff converter stay out of the binary that
// ships: their package init (blackfriday's tables) would cost every start,
// `cgmtop status`'s included, for pages nobody reads from the binary.

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func init() {
	extraCommands = append(extraCommands, newManCmd)
}

func newManCmd(std stdio) *cobra.Command {
	return &cobra.Command{
		Use:    "__man DIR",
		Short:  "Write cgmtop's man pages (section 1) into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			root.DisableAutoGenTag = true // reproducible pages; SOURCE_DATE_EPOCH sets their date
			header := &doc.GenManHeader{
				Title:   "CGMTOP",
				Section: "1",
				Source:  "cgmtop " + version,
				Manual:  "cgmtop manual",
			}
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			fmt.Fprintln(std.err, "man pages written to", args[0])
			return nil
		},
	}
}
