package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"
)

// AccessToken is the token Nightscout gives subject on a site with this
// API secret: the name cut to ten word characters, then 16 hex digits of a
// digest of the hashed secret and the subject (Nightscout uses the
// subject's database id; the name is as stable here).
func AccessToken(apiSecret, subject string) string {
	// Word characters only (what Nightscout's \W strips), without a
	// regexp: DefaultReadToken is computed at package init.
	abbrev := strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(subject))
	if len(abbrev) > 10 {
		abbrev = abbrev[:10]
	}
	return abbrev + "-" + digest(apiSecret, subject)[:16]
}

func digest(apiSecret, subject string) string {
	sum := sha1.Sum([]byte(sha1hex(apiSecret) + subject))
	return hex.EncodeToString(sum[:])
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// rolePermissions are Nightscout's built-in roles.
var rolePermissions = map[string][]string{
	"admin":               {"*"},
	"denied":              nil,
	"status-only":         {"api:status:read"},
	"readable":            {"*:*:read"},
	"careportal":          {"api:treatments:create"},
	"devicestatus-upload": {"api:devicestatus:create"},
	"activity":            {"api:activity:create"},
}

// grant is who a request turned out to be.
type grant struct {
	subject string   // "" for the API secret or an anonymous request
	perms   []string // shiro patterns
}

// subjectFor finds the subject whose token this is. Like Nightscout it
// looks only at the hex digits after the last '-', which must be at least
// 16 long and start the subject's digest; sha1(token) works too.
func (s *Server) subjectFor(token string) (Subject, bool) {
	if token == "" {
		return Subject{}, false
	}
	suffix := token[strings.LastIndex(token, "-")+1:]
	for _, sub := range s.cfg.Subjects {
		d := digest(s.cfg.APISecret, sub.Name)
		if len(suffix) >= 16 && strings.HasPrefix(d, suffix) {
			return sub, true
		}
		if token == sha1hex(AccessToken(s.cfg.APISecret, sub.Name)) {
			return sub, true
		}
	}
	return Subject{}, false
}

func permsOf(roles []string) []string {
	var out []string
	for _, r := range roles {
		out = append(out, rolePermissions[r]...)
	}
	return out
}

// permitted reports whether any shiro pattern implies perm
// ("*:*:read" implies "api:entries:read").
func permitted(patterns []string, perm string) bool {
	want := strings.Split(perm, ":")
	for _, p := range patterns {
		parts := strings.Split(p, ":")
		ok := true
		for i, w := range want {
			if i >= len(parts) {
				break
			}
			if parts[i] != "*" && !contains(strings.Split(parts[i], ","), w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// authorize resolves a request's credentials as Nightscout 15 does: the
// API secret (api-secret header or ?secret=, as SHA-1 or SHA-512 hex)
// first, then a token (?token=, a Bearer JWT, or a token in api-secret),
// else the default roles. A failed api-secret or JWT is an attempt that
// failed: it adds the delay for the address. A ?token= the site does not
// know is not; it just reads as anonymous.
func (s *Server) authorize(ctx context.Context, r *http.Request) (grant, bool) {
	ip := remoteIP(r)
	s.waitPenalty(ctx, ip)
	secret := r.URL.Query().Get("secret")
	if secret == "" {
		secret = r.Header.Get("api-secret")
	}
	var token string
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if token == "" {
		if t := r.URL.Query().Get("token"); t != "" {
			if sub, ok := s.subjectFor(t); ok {
				token = s.signJWT(sub.Name, s.cfg.Clock.Now())
			} else if sub, ok := s.verifyJWT(t); ok {
				token = s.signJWT(sub, s.cfg.Clock.Now())
			}
		}
	}
	if secret == "" && token == "" {
		return grant{perms: permsOf(s.cfg.DefaultRoles)}, true
	}
	if secret != "" && s.isAPISecret(secret) {
		s.succeeded(ip)
		return grant{perms: []string{"*"}}, true
	}
	name, ok := s.verifyJWT(token)
	if !ok && secret != "" {
		if sub, found := s.subjectFor(secret); found {
			name, ok = sub.Name, true
		}
	}
	if ok {
		for _, sub := range s.cfg.Subjects {
			if sub.Name == name {
				s.succeeded(ip)
				return grant{subject: name, perms: append(permsOf(sub.Roles), permsOf(s.cfg.DefaultRoles)...)}, true
			}
		}
	}
	s.failed(ip)
	return grant{}, false
}

func (s *Server) isAPISecret(v string) bool {
	v = strings.ToLower(v)
	sum512 := sha512.Sum512([]byte(s.cfg.APISecret))
	return hmac.Equal([]byte(v), []byte(sha1hex(s.cfg.APISecret))) || hmac.Equal([]byte(v), []byte(hex.EncodeToString(sum512[:])))
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// waitPenalty holds a request while its address is penalised.
func (s *Server) waitPenalty(ctx context.Context, ip string) {
	s.mu.Lock()
	until := s.delay[ip]
	s.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-s.http.Closing():
	}
}

func (s *Server) failed(ip string) {
	s.count("authFailed")
	if s.cfg.AuthFailDelay < 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	until := s.delay[ip]
	if until.Before(now) {
		until = now
	}
	s.delay[ip] = until.Add(s.cfg.AuthFailDelay)
}

func (s *Server) succeeded(ip string) {
	s.mu.Lock()
	delete(s.delay, ip)
	s.mu.Unlock()
}

// Penalty returns how long requests from ip are held right now.
func (s *Server) Penalty(ip string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(time.Until(s.delay[ip]), 0)
}

// signJWT makes the HS256 JWT /api/v2/authorization/request gives out,
// valid for 8 hours as on 15.0.7.
func (s *Server) signJWT(subject string, now time.Time) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(map[string]any{"accessToken": AccessToken(s.cfg.APISecret, subject),
		"iat": now.Unix(), "exp": now.Add(jwtLifetime).Unix()})
	msg := head + "." + base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, []byte(s.cfg.APISecret))
	mac.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verifyJWT checks a JWT and returns its subject's name.
func (s *Server) verifyJWT(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.APISecret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var claims struct {
		AccessToken string `json:"accessToken"`
		Exp         int64  `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil || s.cfg.Clock.Now().Unix() >= claims.Exp {
		return "", false
	}
	sub, ok := s.subjectFor(claims.AccessToken)
	return sub.Name, ok
}
