package store

import "testing"

func TestHashUser(t *testing.T) {
	h := HashUser("pepper", "123456789")
	if len(h) != 64 || h == HashUser("other", "123456789") || h != HashUser("pepper", "123456789") {
		t.Errorf("HashUser = %q: want stable 64 hex digits that depend on the salt", h)
	}
}
