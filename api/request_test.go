package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestCheckJSON(t *testing.T) {
	for _, tc := range []struct {
		ct, body string
		ok       bool
	}{
		{"application/json", `{}`, true},
		{"application/json; charset=utf-8", `{}`, true},
		{"", "", true}, // no body, no Content-Type: as dockerd
		{"", `{}`, false},
		{"text/plain", `{}`, false},
		{"application/x-www-form-urlencoded", `a=b`, false},
		{"application/jsonx", `{}`, false},
		{"application/json;;", `{}`, false},
	} {
		r := httptest.NewRequest("POST", "/containers/create", strings.NewReader(tc.body))
		if tc.ct != "" {
			r.Header.Set("Content-Type", tc.ct)
		}
		err := checkJSON(r)
		if (err == nil) != tc.ok || (err != nil && !errdefs.Is(err, errdefs.ClassInvalid)) {
			t.Errorf("Content-Type %q, body %q: %v", tc.ct, tc.body, err)
		}
	}
}

func TestBrowsersRefused(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		header, value string
		status        int
	}{
		{"Origin", "http://example.com", http.StatusForbidden},
		{"Origin", "null", http.StatusForbidden},
		{"Sec-Fetch-Site", "cross-site", http.StatusForbidden},
		{"User-Agent", "Docker-Client/28.2.2 (linux)", http.StatusOK},
	} {
		r := httptest.NewRequest("GET", "/v1.43/_ping", nil)
		r.Header.Set(tc.header, tc.value)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if w.Code != tc.status {
			t.Errorf("%s: %s: %d %s, want %d", tc.header, tc.value, w.Code, w.Body, tc.status)
		}
	}
}
