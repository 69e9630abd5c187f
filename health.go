package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// health checks a running server's /healthz: the Docker HEALTHCHECK, which
// cannot rely on curl in a distroless image.
func (e *environment) health(ctx context.Context, args []string) error {
	fs := newFlagSet("health")
	addr := fs.String("addr", "127.0.0.1:8080", "address of the server's HTTP listener")
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("health", rest); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+*addr+"/healthz", nil)
	if err != nil {
		return usagef("health: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s", resp.Status)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
