// Command apibench measures container life cycles per second through a
// Docker-compatible API: create, start, wait, remove, by N concurrent
// clients (make bench runs it against burrow's and podman's services).
//
//	apibench SOCKET IMAGE SECONDS CLIENTS
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: apibench SOCKET IMAGE SECONDS CLIENTS")
		os.Exit(2)
	}
	sock, image := os.Args[1], os.Args[2]
	secs, _ := strconv.Atoi(os.Args[3])
	clients, _ := strconv.Atoi(os.Args[4])
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	call := func(method, path string, body any) ([]byte, error) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, "http://d/v1.40"+path, rd)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 && resp.StatusCode != 304 {
			return nil, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
		}
		return b, nil
	}
	var done, failed atomic.Int64
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				b, err := call("POST", "/containers/create", map[string]any{"Image": image, "Cmd": []string{"true"}, "HostConfig": map[string]any{"NetworkMode": "none"}})
				if err != nil {
					failed.Add(1)
					fmt.Fprintln(os.Stderr, err)
					continue
				}
				var c struct{ Id string }
				json.Unmarshal(b, &c)
				_, err1 := call("POST", "/containers/"+c.Id+"/start", nil)
				_, err2 := call("POST", "/containers/"+c.Id+"/wait", nil)
				_, err3 := call("DELETE", "/containers/"+c.Id+"?force=1", nil)
				if err1 != nil || err2 != nil || err3 != nil {
					failed.Add(1)
					continue
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%.2f %d\n", float64(done.Load())/float64(secs), failed.Load())
}
