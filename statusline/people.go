package statusline

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"text/template"

	"github.com/cgmtop/cgmtop/config"
)

// Person is one person on a line for several (`cgmtop status --all`, and
// a template's .People): their account, the name they are shown by, and
// their own line taken apart, drawn on their own thresholds.
type Person struct {
	Account string
	Name    string
	Data
	in Input
}

// runAll is `cgmtop status --all`: one line for every person cgmtop knows,
// in account order (a status bar that reorders itself is hard to read),
// each read and synced as status does for one.
func runAll(ctx context.Context, opts Options, stdout io.Writer) int {
	accounts := opts.Config.People(opts.Paths)
	if len(accounts) == 0 {
		accounts = []string{config.DefaultAccount} // says "not logged in"
	}
	people := make([]Person, len(accounts))
	for i, a := range accounts {
		in := input(ctx, opts, a)
		people[i] = Person{Account: a, Name: in.Name, Data: Build(in), in: in}
	}
	var out []byte
	code := 0
	if opts.Template != nil {
		var err error
		if out, err = execute(opts.Template, allData(people, sep(opts))); err != nil {
			out, code = []byte("cgm: bad template\n"), 2
		}
	} else {
		out, code = RenderAll(people, opts.Format)
	}
	stdout.Write(out)
	for _, p := range people {
		maybeSync(opts, p.Account, p.in)
	}
	return code
}

// sep is what stands between two people.
func sep(opts Options) string {
	if opts.ASCII || opts.Config.ASCII {
		return " | "
	}
	return " · "
}

// PeopleFrom builds the people of a line from their inputs, for tests and
// benchmarks of RenderAll.
func PeopleFrom(ins ...Input) []Person {
	people := make([]Person, len(ins))
	for i, in := range ins {
		name := in.Name
		if name == "" {
			name = in.Account
		}
		people[i] = Person{Account: in.Account, Name: name, Data: Build(in), in: in}
	}
	return people
}

// allData is what a template sees with --all: the most urgent person's
// fields (so a one-person template keeps working), the whole line as
// .Text, and everyone in .People.
func allData(people []Person, sep string) Data {
	d := people[mostUrgent(people)].Data
	d.Text = allText(people, sep)
	d.People = people
	return d
}

// RenderAll draws a line for several people in format f, like Render for
// one: each person as "Name value arrow age", the urgent marked in the
// formats that have a way to. i3blocks exits 33 when anyone is urgent.
func RenderAll(people []Person, f Format) ([]byte, int) {
	s := " · "
	if len(people) > 0 && people[0].in.ASCII {
		s = " | "
	}
	color := len(people) > 0 && people[0].in.Color
	var b bytes.Buffer
	code := 0
	switch f {
	case Tmux:
		for i, p := range people {
			if i > 0 {
				b.WriteString(s)
			}
			b.WriteString(tmuxPerson(p, color))
		}
	case Polybar:
		for i, p := range people {
			if i > 0 {
				b.WriteString(s)
			}
			b.WriteString(polybarPerson(p, color))
		}
	case I3blocks:
		b.WriteString(allText(people, s) + "\n" + allPrompt(people))
		if color {
			b.WriteString("\n" + lineColor(people[mostUrgent(people)].Data).hex)
		}
		if anyUrgent(people) {
			code = ExitUrgent
		}
	case Prompt:
		b.WriteString(allPrompt(people))
	case JSON:
		b.Write(jsonAll(people, s))
	case Waybar:
		b.Write(waybarAll(people, s))
	default:
		b.WriteString(allText(people, s))
	}
	b.WriteByte('\n')
	return b.Bytes(), code
}

// personText is one person's part of the plain line: "Ana 112→ 3m",
// "Ana 112?→ 42m (offline)" when stale, "Dan: not logged in" without a
// reading. The delta and clock note are left to the one-person line: a bar
// with four people has no room for them.
func personText(p Person) string {
	d := p.Data
	if !d.HasReading {
		return p.Name + ": " + strings.TrimPrefix(d.Text, textPrefix)
	}
	return join(p.Name, personValue(d), agePart(d))
}

// personValue is "112→", or "112?→" when stale.
func personValue(d Data) string {
	if d.Stale {
		return d.Value + "?" + d.Arrow
	}
	return d.Value + d.Arrow
}

func allText(people []Person, sep string) string {
	parts := make([]string, len(people))
	for i, p := range people {
		parts[i] = personText(p)
	}
	return strings.Join(parts, sep)
}

// allPrompt is the narrow, colourless form: "Ana 112→ Ben 245↑", a "?" after
// a value that is not fresh, "--" without one; '%' dropped as in promptLine.
func allPrompt(people []Person) string {
	parts := make([]string, len(people))
	for i, p := range people {
		v := "--"
		switch {
		case p.Status == StateOK:
			v = p.Value + p.Arrow
		case p.HasReading:
			v = p.Value + "?"
		}
		parts[i] = p.Name + " " + v
	}
	return strings.ReplaceAll(strings.Join(parts, " "), "%", "")
}

// tmuxPerson styles one person as tmuxLine does one line; the urgent
// person's name and value are drawn reversed and bold, so they stand out
// among several.
func tmuxPerson(p Person, colour bool) string {
	d := p.Data
	name := TmuxEscape(p.Name)
	if !colour {
		return TmuxEscape(personText(p))
	}
	c := lineColor(d)
	style, attrs := c.tmux, ""
	if i := strings.IndexByte(style, ','); i >= 0 {
		attrs = style[i+1:]
	}
	if d.Urgent {
		style, attrs = strings.Split(style, ",")[0]+",bold,reverse", "bold,reverse"
	}
	reset := "#[fg=default"
	for _, a := range strings.Split(attrs, ",") {
		if a != "" {
			reset += ",no" + a
		}
	}
	reset += "]"
	switch {
	case !d.HasReading:
		return "#[fg=" + style + "]" + TmuxEscape(personText(p)) + reset
	case d.Stale:
		return name + " #[fg=" + style + ",strikethrough]" + TmuxEscape(d.Value+"?") + "#[nostrikethrough]" +
			TmuxEscape(d.Arrow+" "+agePart(d)) + reset
	case d.Urgent:
		return "#[fg=" + style + "]" + name + " " + TmuxEscape(personValue(d)) + reset + " " + TmuxEscape(agePart(d))
	}
	return name + " #[fg=" + style + "]" + TmuxEscape(personValue(d)) + reset + " " + TmuxEscape(agePart(d))
}

// polybarPerson colours one person; the urgent one is underlined too.
func polybarPerson(p Person, colour bool) string {
	text := strings.ReplaceAll(personText(p), "%", "%%")
	if !colour {
		return text
	}
	hex := lineColor(p.Data).hex
	if p.Urgent {
		return "%{F" + hex + "}%{u" + hex + "}%{+u}" + text + "%{-u}%{F-}"
	}
	return "%{F" + hex + "}" + text + "%{F-}"
}

// jsonAll is every person's fields, as --format json gives one account's,
// plus their account and name, under "people"; the top level says what a
// script checks first.
func jsonAll(people []Person, sep string) []byte {
	type person struct {
		Account string `json:"account"`
		Name    string `json:"name"`
		jsonOut
	}
	type out struct {
		Text   string   `json:"text"`
		Status State    `json:"status"` // the most urgent person's
		Urgent bool     `json:"urgent"` // anyone's reading is urgent
		People []person `json:"people"`
	}
	o := out{Text: allText(people, sep), Status: people[mostUrgent(people)].Status, Urgent: anyUrgent(people),
		People: make([]person, len(people))}
	for i, p := range people {
		o.People[i] = person{Account: p.Account, Name: p.Name, jsonOut: jsonFields(p.Data, p.in)}
	}
	b, _ := json.Marshal(o) // only strings, bools and numbers: cannot fail
	return b
}

// waybarAll is waybar's JSON for several people: the tooltip lists each
// with their story; classes and percentage are the most urgent person's.
func waybarAll(people []Person, sep string) []byte {
	top := people[mostUrgent(people)].Data
	classes := []string{string(top.Status)}
	if top.Class != "" {
		classes = append(classes, top.Class)
	}
	if anyUrgent(people) {
		classes = append(classes, "urgent")
	}
	var tips []string
	for _, p := range people {
		tip := tooltip(p.Data, p.in)
		if p.Account != config.DefaultAccount {
			tip = strings.ReplaceAll(tip, "`cgmtop login`", "`cgmtop login --account "+p.Account+"`")
		}
		lines := strings.Split(tip, "\n")
		tips = append(tips, p.Name+": "+strings.Join(lines, "\n  "))
	}
	b, _ := json.Marshal(waybarOut{
		Text:       pango(allText(people, sep)),
		Alt:        string(top.Status),
		Tooltip:    pango(strings.Join(tips, "\n")),
		Class:      classes,
		Percentage: top.Percent,
	})
	return b
}

func anyUrgent(people []Person) bool {
	for _, p := range people {
		if p.Urgent {
			return true
		}
	}
	return false
}

// mostUrgent is the index of the person who most needs a look: an urgent
// reading (an urgent low first), then a failing sync, a stale reading, a
// reading out of range, one in range, no data, logged out. Ties go to the
// first in account order.
func mostUrgent(people []Person) int {
	best, bestRank := 0, 99
	for i, p := range people {
		if r := urgency(p.Data); r < bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

func urgency(d Data) int {
	switch {
	case d.Urgent && d.Class == ClassUrgentLow:
		return 0
	case d.Urgent:
		return 1
	case d.Status == StateFailing:
		return 2
	case d.Status == StateStale:
		return 3
	case d.Status == StateOK && d.Class != ClassInRange:
		return 4
	case d.Status == StateOK:
		return 5
	case d.Status == StateNoData:
		return 6
	}
	return 7
}

// execute runs a parsed template on d, newline-terminated.
func execute(t *template.Template, d Data) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}
