package console

import (
	"io"
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

// Session is a terminal attached to a pty.
type Session struct {
	pty     *os.File
	user    *os.File
	restore *term.State
	winch   chan os.Signal
	out     sync.WaitGroup
}

// Attach copies stdin (nil: nothing) to pty and pty to stdout. When user is
// a terminal it is put in raw mode and its size is copied to the pty now and
// on every SIGWINCH.
func Attach(pty *os.File, user *os.File, stdin io.Reader, stdout io.Writer) *Session {
	s := &Session{pty: pty}
	if user != nil && term.IsTerminal(int(user.Fd())) {
		s.user = user
		if st, err := term.MakeRaw(int(user.Fd())); err == nil {
			s.restore = st
		}
		s.resize()
		s.winch = make(chan os.Signal, 1)
		signal.Notify(s.winch, unix.SIGWINCH)
		go func() {
			for range s.winch {
				s.resize()
			}
		}()
	}
	if stdin != nil {
		go io.Copy(pty, stdin)
	}
	s.out.Add(1)
	go func() {
		defer s.out.Done()
		io.Copy(stdout, pty) // ends with EIO once the container side is gone
	}()
	return s
}

func (s *Session) resize() {
	if rows, cols, ok := Size(s.user); ok {
		unix.IoctlSetWinsize(int(s.pty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	}
}

// Close waits for the container's output to drain and restores the user's
// terminal.
func (s *Session) Close() {
	s.out.Wait()
	s.pty.Close()
	if s.winch != nil {
		signal.Stop(s.winch)
		close(s.winch)
	}
	if s.restore != nil {
		term.Restore(int(s.user.Fd()), s.restore)
	}
}
