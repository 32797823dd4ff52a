package console

import (
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Size returns the window size of f, or false when f is not a terminal.
func Size(f *os.File) (rows, cols uint16, ok bool) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0, false
	}
	return ws.Row, ws.Col, true
}

// Raw puts the user's terminal in raw mode, calls resize with its size now
// and after every SIGWINCH, and returns what undoes both. A user that is
// not a terminal is left alone.
func Raw(user *os.File, resize func(rows, cols uint16)) (restore func()) {
	if user == nil || !term.IsTerminal(int(user.Fd())) {
		return func() {}
	}
	st, _ := term.MakeRaw(int(user.Fd()))
	send := func() {
		if rows, cols, ok := Size(user); ok && resize != nil {
			resize(rows, cols)
		}
	}
	send()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				send()
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(winch)
			close(done)
			if st != nil {
				term.Restore(int(user.Fd()), st)
			}
		})
	}
}
