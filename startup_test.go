package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestUserSaltSharedByReplicasStartingTogether: replicas that start at
// once on a new shared data directory must agree on the salt, or the same
// user's votes hash differently on each and count twice.
func TestUserSaltSharedByReplicasStartingTogether(t *testing.T) {
	for trial := range 20 {
		dir := t.TempDir()
		const replicas = 8
		salts := make([]string, replicas)
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				salts[i], errs[i] = userSalt(dir)
			}()
		}
		close(start)
		wg.Wait()
		for i := range replicas {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if len(salts[i]) < 32 || salts[i] != salts[0] {
				t.Fatalf("trial %d: replica %d got salt %.8s…, replica 0 %.8s…: want one salt", trial, i, salts[i], salts[0])
			}
		}
		if again, err := userSalt(dir); err != nil || again != salts[0] {
			t.Fatalf("trial %d: a restart reads %.8s…, %v; want the same salt", trial, again, err)
		}
	}
}

// TestServeCreatesItsDataDirectory: a first run, with a data directory
// that does not exist yet, creates it for the store and the index.
func TestServeCreatesItsDataDirectory(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "first", "run")
	s := startServe(t, map[string]string{"MISSIONBOT_DATA_DIR": dataDir})
	if err := s.stop(); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "missionbot.db")); err != nil {
		t.Errorf("store not created: %v", err)
	}
}
