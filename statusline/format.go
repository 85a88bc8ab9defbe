package statusline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Format is an output format of `cgmtop status`.
type Format string

// The formats. Each prints the same words as Plain; they differ only in how
// colour and structure are expressed for their consumer.
const (
	Plain    Format = "plain"    // the words alone
	Tmux     Format = "tmux"     // #[fg=…] styles, '#' escaped; never raw ANSI
	JSON     Format = "json"     // one object with every field, for scripts
	Waybar   Format = "waybar"   // waybar custom module, return-type json
	I3blocks Format = "i3blocks" // full_text, short_text, color lines; exit 33 when urgent
	Polybar  Format = "polybar"  // %{F#rrggbb} colour tags
	Prompt   Format = "prompt"   // compact and colourless: safe in bash PS1 and zsh PROMPT
)

// Formats lists every format, for flag help and tests.
var Formats = []Format{Plain, Tmux, JSON, Waybar, I3blocks, Polybar, Prompt}

// ParseFormat accepts a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return Plain, fmt.Errorf("unknown format %q: use %s, or --template", s, strings.Join(names, ", "))
}

// ExitUrgent is i3blocks' exit code for "urgent": it flags the block.
const ExitUrgent = 33

// Render draws the status line in format f: the bytes to print (one line,
// newline-terminated) and the exit code to end with.
func Render(in Input, f Format) ([]byte, int) {
	d := Build(in)
	var b bytes.Buffer
	code := 0
	switch f {
	case Tmux:
		b.WriteString(tmuxLine(d, in.Color))
	case JSON:
		b.Write(jsonLine(d, in))
	case Waybar:
		b.Write(waybarLine(d, in))
	case I3blocks:
		b.WriteString(i3blocksLines(d, in.Color))
		if d.Urgent {
			code = ExitUrgent
		}
	case Polybar:
		b.WriteString(polybarLine(d, in.Color))
	case Prompt:
		b.WriteString(promptLine(d))
	default:
		b.WriteString(d.Text)
	}
	b.WriteByte('\n')
	return b.Bytes(), code
}

// ParseTemplate parses a --template and tries it on sample data, so a
// misspelt field is a usage error at once rather than a blank status bar.
// Errors do not name the flag: the caller does.
func ParseTemplate(text string) (*template.Template, error) {
	t, err := template.New("status").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	sample := Build(Input{Now: time.Unix(600, 0), Fresh: sampleFreshness()})
	sample.People = []Person{{Account: "default", Name: "default", Data: sample}}
	if err := t.Execute(&bytes.Buffer{}, sample); err != nil {
		return nil, fmt.Errorf("%w: the fields are .Value .Arrow .Delta .Age .Unit .Status .Stale .Class .Time .Reason .Trend .Text, and .People (each with .Name .Account and the same fields)", err)
	}
	return t, nil
}

// RenderTemplate draws the line with a parsed --template. The template's
// output is printed as is: the user chose its escapes.
func RenderTemplate(in Input, t *template.Template) ([]byte, error) {
	d := Build(in)
	name := in.Name
	if name == "" {
		name = in.Account
	}
	d.People = []Person{{Account: in.Account, Name: name, Data: d, in: in}}
	return execute(t, d)
}

// The palette: one colour per class and state, named for tmux and given as
// hex for the bars, so every consumer shows the same meaning.
type color struct{ tmux, hex string }

var (
	colorUrgentLow = color{"red,bold", "#ff5555"}
	colorLow       = color{"red", "#ff7b72"}
	colorInRange   = color{"green", "#50fa7b"}
	colorHigh      = color{"yellow", "#f1fa8c"}
	colorVeryHigh  = color{"colour208,bold", "#ffb86c"}
	colorMuted     = color{"colour244", "#888888"} // stale, not logged in, no data
	colorWarn      = color{"yellow", "#f1fa8c"}    // sync failing
)

// lineColor is the colour the whole line takes.
func lineColor(d Data) color {
	switch {
	case d.Status == StateFailing:
		return colorWarn
	case d.Stale, !d.HasReading:
		return colorMuted
	}
	switch d.Class {
	case ClassUrgentLow:
		return colorUrgentLow
	case ClassLow:
		return colorLow
	case ClassInRange:
		return colorInRange
	case ClassHigh:
		return colorHigh
	case ClassVeryHigh:
		return colorVeryHigh
	}
	return colorMuted
}

// TmuxEscape doubles '#', which tmux would otherwise read as the start of a
// format or style.
func TmuxEscape(s string) string { return strings.ReplaceAll(s, "#", "##") }

// tmuxLine styles the line with tmux's own #[…] markup, resetting only what
// it set, so a user's surrounding status-style (background, bold) survives.
// A stale value is struck through and dimmed; the age keeps the line's colour.
func tmuxLine(d Data, colour bool) string {
	if !colour {
		return TmuxEscape(d.Text)
	}
	c := lineColor(d)
	attrs := ""
	if i := strings.IndexByte(c.tmux, ','); i >= 0 {
		attrs = c.tmux[i+1:]
	}
	reset := "#[fg=default"
	if attrs != "" {
		reset += ",no" + attrs
	}
	reset += "]"
	if !d.HasReading {
		return "#[fg=" + c.tmux + "]" + TmuxEscape(d.Text) + reset
	}
	if d.Stale {
		return "#[fg=" + c.tmux + ",strikethrough]" + TmuxEscape(d.Value+"?") + "#[nostrikethrough]" +
			TmuxEscape(prefixSpace(d.Arrow)+" "+agePart(d)) + reset
	}
	return "#[fg=" + c.tmux + "]" + TmuxEscape(valuePart(d)) + reset + " " + TmuxEscape(agePart(d))
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// polybarLine colours the line with polybar's %{F…} tags; '%' in text is
// doubled so polybar never reads it as a tag.
func polybarLine(d Data, colour bool) string {
	text := strings.ReplaceAll(d.Text, "%", "%%")
	if !colour {
		return text
	}
	return "%{F" + lineColor(d).hex + "}" + text + "%{F-}"
}

// i3blocksLines is i3blocks' plain protocol: full_text, short_text and
// (unless NO_COLOR) color, one per line.
func i3blocksLines(d Data, colour bool) string {
	short := d.Text
	if d.HasReading {
		short = valuePart(d)
	}
	s := d.Text + "\n" + short
	if colour {
		s += "\n" + lineColor(d).hex
	}
	return s
}

// promptLine is for shell prompts: narrow and colourless, so it needs no
// shell-specific escapes. Output of a command substitution is not expanded
// again by bash (PS1) or by zsh (PROMPT_SUBST), except that zsh still reads
// '%' as a prompt escape, so '%' is dropped. Colour is left to the user's
// own prompt: `$(cgmtop status --format prompt)` inside their %F{…}/\[\e[…m\].
// A fresh reading is value and arrow; anything else says why, as plain does.
func promptLine(d Data) string {
	s := d.Text
	if d.Status == StateOK {
		s = d.Value + d.Arrow
	}
	return strings.ReplaceAll(s, "%", "")
}

// jsonOut is one account's fields in --format json.
type jsonOut struct {
	Status     State           `json:"status"`
	Text       string          `json:"text"`
	Value      json.RawMessage `json:"value"`
	ValueText  string          `json:"value_text,omitempty"`
	Unit       string          `json:"unit"`
	Arrow      string          `json:"arrow,omitempty"`
	Trend      string          `json:"trend,omitempty"`
	Delta      string          `json:"delta,omitempty"`
	Age        string          `json:"age,omitempty"`
	AgeSeconds *int64          `json:"age_seconds,omitempty"`
	Time       string          `json:"time,omitempty"` // RFC 3339, UTC
	Stale      bool            `json:"stale"`
	Class      string          `json:"class,omitempty"`
	Urgent     bool            `json:"urgent"`
	Reason     string          `json:"reason,omitempty"`
	Clock      string          `json:"clock,omitempty"` // "1 h behind" when this computer's clock is off
}

// jsonLine is every field, for scripts. Value is a number in the display
// unit when there is one, so `jq .value` needs no parsing.
func jsonLine(d Data, in Input) []byte {
	b, _ := json.Marshal(jsonFields(d, in)) // only strings, bools and numbers: cannot fail
	return b
}

func jsonFields(d Data, in Input) jsonOut {
	o := jsonOut{Status: d.Status, Text: d.Text, Value: json.RawMessage("null"), ValueText: d.Value, Unit: d.Unit,
		Arrow: d.Arrow, Trend: d.Trend, Delta: d.Delta, Age: d.Age, Stale: d.Stale, Class: d.Class,
		Urgent: d.Urgent, Reason: d.Reason, Clock: d.Clock}
	if d.HasReading {
		if in.Fresh.Latest.Known() {
			o.Value = json.RawMessage(d.Value) // Unit.Format gives a valid JSON number
		}
		age := d.AgeSeconds
		o.AgeSeconds = &age
		o.Time = in.Fresh.Latest.Time.UTC().Format(time.RFC3339)
	}
	return o
}

// waybarOut is waybar's custom-module JSON (return-type json).
type waybarOut struct {
	Text       string   `json:"text"`
	Alt        string   `json:"alt"`
	Tooltip    string   `json:"tooltip"`
	Class      []string `json:"class"`
	Percentage int      `json:"percentage"`
}

// waybarLine is waybar's custom-module JSON. Text and tooltip are Pango
// markup to waybar, so &, < and > are escaped.
func waybarLine(d Data, in Input) []byte {
	classes := []string{string(d.Status)}
	if d.Class != "" {
		classes = append(classes, d.Class)
	}
	if d.Urgent {
		classes = append(classes, "urgent")
	}
	b, _ := json.Marshal(waybarOut{
		Text:       pango(d.Text),
		Alt:        string(d.Status),
		Tooltip:    pango(tooltip(d, in)),
		Class:      classes,
		Percentage: d.Percent,
	})
	return b
}

func pango(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// trendWords says a trend in words for tooltips.
var trendWords = map[string]string{
	"doubleUp":      "rising fast",
	"singleUp":      "rising",
	"fortyFiveUp":   "rising slowly",
	"flat":          "steady",
	"fortyFiveDown": "falling slowly",
	"singleDown":    "falling",
	"doubleDown":    "falling fast",
}

// tooltip is the longer story for bars that can hover: the reading in full,
// then how sync is doing.
func tooltip(d Data, in Input) string {
	var lines []string
	switch {
	case d.Status == StateLoggedOut:
		lines = append(lines, "Not logged in: run `cgmtop login`")
	case !d.HasReading && d.Status == StateNoData:
		lines = append(lines, "No readings yet: the first sync is on its way")
	case d.HasReading:
		s := d.Value
		if in.Fresh.Latest.Known() {
			s += " " + d.Unit
		}
		if w := trendWords[d.Trend]; w != "" {
			s += ", " + w
		}
		if d.Delta != "" {
			s += " (" + d.Delta + ")"
		}
		s += " at " + d.Time
		if d.Age == "now" {
			s += ", just now"
		} else {
			s += ", " + d.Age + " ago"
		}
		if d.Stale {
			s += " (stale)"
		}
		lines = append(lines, s)
	}
	sync := in.Fresh.Sync
	if d.Reason != "" && d.Reason != ReasonCache && d.Status != StateLoggedOut {
		s := "Sync failing: " + reasonText[d.Reason]
		if d.Reason == ReasonAuth {
			s += ": run `cgmtop login`"
		}
		lines = append(lines, s)
	} else if d.Reason == ReasonCache {
		lines = append(lines, "Cannot read the cache: run `cgmtop sync` to see why")
	}
	if !sync.LastSuccess.IsZero() {
		lines = append(lines, "Last sync "+sync.LastSuccess.In(in.Now.Location()).Format("15:04"))
	}
	if d.Clock != "" {
		lines = append(lines, "This computer's clock is "+d.Clock+" the server's: ages use the server's clock")
	}
	return strings.Join(lines, "\n")
}
