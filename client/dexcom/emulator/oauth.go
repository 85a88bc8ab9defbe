package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sync"
	"time"
)

type codeGrant struct {
	user        string
	redirectURI string
	challenge   string
	method      string // S256 or plain
	expires     time.Time
}

type accessGrant struct {
	user    string
	expires time.Time
}

// authRequest is the part of a login request that must survive from the
// consent page to the redirect.
type authRequest struct {
	ClientID, RedirectURI, State, Scope string
	Challenge, Method                   string
}

// checkAuthRequest validates a login request, returning what is wrong in
// words a developer setting up a client can act on.
func (s *Server) checkAuthRequest(v url.Values) (authRequest, string) {
	a := authRequest{
		ClientID:    v.Get("client_id"),
		RedirectURI: v.Get("redirect_uri"),
		State:       v.Get("state"),
		Scope:       v.Get("scope"),
		Challenge:   v.Get("code_challenge"),
		Method:      v.Get("code_challenge_method"),
	}
	if a.ClientID != s.cfg.ClientID {
		return a, fmt.Sprintf("client_id %q is not registered with this emulator; it expects %q.", a.ClientID, s.cfg.ClientID)
	}
	if a.RedirectURI != s.cfg.RedirectURI {
		return a, fmt.Sprintf("redirect_uri %q does not exactly match the registered redirect URI %q.", a.RedirectURI, s.cfg.RedirectURI)
	}
	if rt := v.Get("response_type"); rt != "code" {
		return a, fmt.Sprintf("response_type must be \"code\", not %q.", rt)
	}
	if a.Challenge != "" {
		switch a.Method {
		case "":
			a.Method = "plain"
		case "S256", "plain":
		default:
			return a, fmt.Sprintf("code_challenge_method %q is not supported; use S256.", a.Method)
		}
	}
	return a, ""
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		a, problem := s.checkAuthRequest(r.URL.Query())
		if problem != "" {
			s.loginProblem(w, problem)
			return
		}
		if s.cfg.AutoApprove {
			s.approve(w, r, a, s.cfg.User)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = consentPage().Execute(w, struct {
			authRequest
			User string
		}{a, s.cfg.User})
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			s.loginProblem(w, "the consent form could not be read: "+err.Error())
			return
		}
		form := r.PostForm
		form.Set("response_type", "code")
		a, problem := s.checkAuthRequest(form)
		if problem != "" {
			s.loginProblem(w, problem)
			return
		}
		if form.Get("decision") != "allow" {
			redirectWith(w, r, a.RedirectURI, url.Values{"error": {"access_denied"}, "state": {a.State}})
			return
		}
		user := form.Get("user")
		if user != "g6" && user != "g7" {
			user = s.cfg.User
		}
		s.approve(w, r, a, user)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
	}
}

func (s *Server) loginProblem(w http.ResponseWriter, problem string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = problemPage().Execute(w, problem)
}

// approve issues a code for user and sends the browser back to the client.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, a authRequest, user string) {
	code := randomToken()
	s.mu.Lock()
	s.codes[code] = codeGrant{
		user:        user,
		redirectURI: a.RedirectURI,
		challenge:   a.Challenge,
		method:      a.Method,
		expires:     s.cfg.Clock.Now().Add(CodeTTL),
	}
	s.mu.Unlock()
	redirectWith(w, r, a.RedirectURI, url.Values{"code": {code}, "state": {a.State}})
}

func redirectWith(w http.ResponseWriter, r *http.Request, target string, params url.Values) {
	u, err := url.Parse(target)
	if err != nil {
		http.Error(w, "bad redirect URI", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	f := r.PostForm
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if id == "" {
		// Dexcom wants credentials in the body; Basic is accepted so a
		// client library's auto-detection still gets through.
		id, secret, _ = r.BasicAuth()
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		writeError(w, http.StatusUnauthorized, "invalid_client", "client_id or client_secret is wrong")
		return
	}
	now := s.cfg.Clock.Now()
	var user string
	switch f.Get("grant_type") {
	case "authorization_code":
		code := f.Get("code")
		s.mu.Lock()
		g, ok := s.codes[code]
		delete(s.codes, code) // single use, even when the rest is wrong
		s.mu.Unlock()
		switch {
		case !ok:
			writeError(w, http.StatusBadRequest, "invalid_grant", "authorization code is unknown or already used")
			return
		case !now.Before(g.expires):
			writeError(w, http.StatusBadRequest, "invalid_grant", "authorization code has expired")
			return
		case f.Get("redirect_uri") != g.redirectURI:
			writeError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the one used to log in")
			return
		case !pkceOK(g, f.Get("code_verifier")):
			writeError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
			return
		}
		user = g.user
	case "refresh_token":
		rt := f.Get("refresh_token")
		s.mu.Lock()
		u, ok := s.refresh[rt]
		delete(s.refresh, rt) // refresh tokens rotate
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusBadRequest, "invalid_grant", "refresh token is unknown or already used")
			return
		}
		user = u
	default:
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	resp := tokenResponse{
		AccessToken:  randomToken(),
		ExpiresIn:    int64(s.cfg.AccessTTL / time.Second),
		TokenType:    "Bearer",
		RefreshToken: randomToken(),
	}
	s.mu.Lock()
	s.access[resp.AccessToken] = accessGrant{user: user, expires: now.Add(s.cfg.AccessTTL)}
	s.refresh[resp.RefreshToken] = user
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func pkceOK(g codeGrant, verifier string) bool {
	if g.challenge == "" {
		return true
	}
	want := verifier
	if g.method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return verifier != "" && subtle.ConstantTimeCompare([]byte(want), []byte(g.challenge)) == 1
}

// ExpireAccessTokens makes every access token issued so far answer 401, as
// if they had all outlived their expires_in. Refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	clear(s.access)
	s.mu.Unlock()
}

const pageStyle = `<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6f8;color:#1d2733;display:flex;justify-content:center;padding-top:12vh;margin:0}
main{background:#fff;border-radius:12px;box-shadow:0 2px 14px rgba(0,0,0,.08);padding:2rem 2.4rem;max-width:26rem}
h1{font-size:1.2rem;margin:0 0 .4rem}p{line-height:1.45;margin:.4rem 0 1rem;color:#4a5663}
fieldset{border:1px solid #d8dee4;border-radius:8px;margin:0 0 1.2rem;padding:.6rem 1rem}
label{display:block;padding:.25rem 0}.buttons{display:flex;gap:.8rem}
button{font:inherit;border-radius:8px;padding:.55rem 1.4rem;border:1px solid #c5ced6;background:#fff;cursor:pointer}
button.allow{background:#1f7a4d;border-color:#1f7a4d;color:#fff}code{background:#f0f2f4;padding:0 .25rem;border-radius:4px}
</style>`

// consentPage is built on first use, not at package init: init runs on every
// `cgmtop status`, which tmux calls every few seconds and must start fast.
var consentPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cgmtop emulator — allow access</title>` + pageStyle + `</head>
<body><main>
<h1>cgmtop emulator — allow access?</h1>
<p><code>{{.ClientID}}</code> asks to read this simulated user's glucose readings, events, calibrations, devices and alerts. No real health data is involved.</p>
<form method="post" action="/v2/oauth2/login">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="scope" value="{{.Scope}}">
<input type="hidden" name="code_challenge" value="{{.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{.Method}}">
<fieldset><legend>Log in as</legend>
<label><input type="radio" name="user" value="g7"{{if eq .User "g7"}} checked{{end}}> User G7 — Dexcom G7, iPhone app</label>
<label><input type="radio" name="user" value="g6"{{if eq .User "g6"}} checked{{end}}> User G6 — Dexcom G6, Android app and receiver</label>
</fieldset>
<div class="buttons"><button class="allow" name="decision" value="allow" type="submit">Allow</button>
<button name="decision" value="deny" type="submit">Deny</button></div>
</form>
</main></body></html>
`))
})

// problemPage is built on first use, not at package init: init runs on every
// `cgmtop status`, which tmux calls every few seconds and must start fast.
var problemPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("problem").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cgmtop emulator — bad login request</title>` + pageStyle + `</head>
<body><main><h1>This login request cannot be accepted</h1><p>{{.}}</p>
<p>Check the client id and redirect URI cgmtop is configured with.</p></main></body></html>
`))
})
