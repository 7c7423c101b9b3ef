// Command slowbody holds many connections that declare a login body and
// never send it, then times GET /healthz: how long a slow-client flood
// keeps the server from answering. Run it against `herold serve` (with a
// low open-file limit, e.g. `ulimit -n 128`, to make the flood bite):
//
//	go run ./bench/slowbody -addr 127.0.0.1:8080 -n 150
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address of the server")
	n := flag.Int("n", 150, "slow connections to open")
	flag.Parse()
	var closed atomic.Int64
	start := time.Now()
	for i := range *n {
		c, err := net.DialTimeout("tcp", *addr, 5*time.Second)
		if err != nil {
			fmt.Println("dial", i, err)
			continue
		}
		fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a")
		go func() { _, _ = io.Copy(io.Discard, c); closed.Add(1) }()
	}
	// Let the server accept the flood before the probe queues behind it.
	time.Sleep(500 * time.Millisecond)
	hc := &http.Client{Timeout: 240 * time.Second}
	t0 := time.Now()
	resp, err := hc.Get("http://" + *addr + "/healthz")
	if err != nil {
		fmt.Printf("healthz failed after %v: %v\n", time.Since(t0).Round(time.Millisecond), err)
		return
	}
	resp.Body.Close()
	fmt.Printf("healthz %d after %v; slow connections closed by the server so far: %d of %d (%.0fs since start)\n",
		resp.StatusCode, time.Since(t0).Round(time.Millisecond), closed.Load(), *n, time.Since(start).Seconds())
}
