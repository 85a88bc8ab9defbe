package auth

import (
	"html"
	"html/template"
	"net/http"
	"sync"
)

// pageTemplate is built on first use, not at package init: init runs on every
// `cgmtop status`, which tmux calls every few seconds and must start fast.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center;
         font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
         background: #0f172a; color: #e2e8f0; }
  main { max-width: 28rem; padding: 2.5rem; border-radius: 1rem; background: #1e293b;
         box-shadow: 0 10px 30px rgba(0,0,0,.35); text-align: center; }
  .mark { font-size: 3rem; line-height: 1; color: {{if .OK}}#4ade80{{else}}#f87171{{end}}; }
  h1 { font-size: 1.4rem; margin: .75rem 0 .5rem; }
  p { margin: 0; color: #cbd5e1; }
  code { font-family: ui-monospace, monospace; background: #0f172a; padding: .1rem .35rem; border-radius: .3rem; }
  .brand { margin-top: 1.5rem; font-size: .85rem; color: #64748b; font-family: ui-monospace, monospace; }
</style></head>
<body><main id="{{if .OK}}connected{{else}}failed{{end}}">
<div class="mark">{{if .OK}}✓{{else}}✗{{end}}</div>
<h1>{{.Title}}</h1>
<p>{{.Body}}</p>
<div class="brand">cgmtop</div>
</main></body></html>
`))
})

// writePage answers the browser. body is trusted HTML: callers escape any
// text that came from outside with pageEscape.
func writePage(w http.ResponseWriter, status int, title, body string, ok bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	pageTemplate().Execute(w, struct { //nolint:errcheck // the browser may have gone
		Title string
		Body  template.HTML
		OK    bool
	}{title, template.HTML(body), ok})
}

func pageEscape(s string) string { return html.EscapeString(s) }
