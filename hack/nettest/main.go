// Command nettest is the small network tool of the test bed, built static
// so that it runs both on the host and in a busybox image (busybox has no
// UDP server and no way to send a stream and close it):
//
//	nettest udpecho PORT        answer every UDP datagram with the same bytes
//	nettest sink PORT           accept one TCP connection, read it to the end,
//	                            print "BYTES SECONDS MB/s"
//	nettest send ADDR BYTES     connect, send BYTES zero bytes, close, print
//	                            "BYTES SECONDS MB/s"
//	nettest swap PATH1 PATH2    exchange the two paths (renameat2
//	                            RENAME_EXCHANGE) until killed: the racing
//	                            container of tests/security_test.go
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "udpecho":
		err = udpecho(os.Args[2])
	case "sink":
		err = sink(os.Args[2])
	case "swap":
		if len(os.Args) != 4 {
			usage()
		}
		err = swap(os.Args[2], os.Args[3])
	case "send":
		if len(os.Args) != 4 {
			usage()
		}
		n, perr := strconv.ParseInt(os.Args[3], 10, 64)
		if perr != nil {
			usage()
		}
		err = send(os.Args[2], n)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nettest:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nettest udpecho PORT | sink PORT | send ADDR BYTES | swap PATH1 PATH2")
	os.Exit(2)
}

func udpecho(port string) error {
	c, err := net.ListenPacket("udp", ":"+port)
	if err != nil {
		return err
	}
	buf := make([]byte, 65536)
	for {
		n, addr, err := c.ReadFrom(buf)
		if err == nil {
			c.WriteTo(buf[:n], addr)
		}
	}
}

func report(n int64, d time.Duration) {
	fmt.Printf("%d %.3f %.1f\n", n, d.Seconds(), float64(n)/d.Seconds()/1e6)
}

func sink(port string) error {
	l, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return err
	}
	c, err := l.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	start := time.Now()
	n, err := io.Copy(io.Discard, c)
	report(n, time.Since(start))
	return err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func send(addr string, n int64) error {
	var c net.Conn
	var err error
	for i := 0; i < 100; i++ { // the sink may still be starting
		if c, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	start := time.Now()
	w, err := io.CopyBuffer(c, io.LimitReader(zeros{}, n), make([]byte, 256*1024))
	if cw, ok := c.(*net.TCPConn); ok {
		cw.CloseWrite()
		io.Copy(io.Discard, c) // until the sink has read it all and closed
	}
	c.Close()
	report(w, time.Since(start))
	return err
}

// swap exchanges a and b atomically, as fast as it can, until killed.
func swap(a, b string) error {
	for {
		if err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE); err != nil {
			return err
		}
	}
}
