// Package smtptest runs a tiny in-process SMTP server for tests: it accepts
// mail from anyone, keeps every message, and can be told to refuse.
package smtptest

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	// Data is the message as sent, headers and body, with CRLF line ends and
	// dot-stuffing undone.
	Data string
}

// Subject returns the decoded Subject header.
func (m Mail) Subject() string {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return msg.Header.Get("Subject")
	}
	return s
}

// Header returns a header of the message.
func (m Mail) Header(key string) string {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	return msg.Header.Get(key)
}

// Body returns the decoded text body.
func (m Mail) Body() string {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, _ := io.ReadAll(r)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// Server is a running SMTP server.
type Server struct {
	// Addr is host:port to give to the client.
	Addr string
	ln   net.Listener
	wg   sync.WaitGroup

	mu     sync.Mutex
	mails  []Mail
	reject string // reply to RCPT TO, "" to accept
	conns  int
}

// NewServer starts a server on a loopback port; it stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and waits for its connections to end.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// Reject makes RCPT TO answer reply (such as "451 try later" or "550 no such
// user"); "" accepts again.
func (s *Server) Reject(reply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = reply
}

// Mails returns the messages accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Connections returns how many sessions clients opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.session(c)
		}()
	}
}

// session speaks the server side of RFC 5321, as much as net/smtp needs.
func (s *Server) session(c net.Conn) {
	r := bufio.NewReader(c)
	reply := func(format string, args ...any) { fmt.Fprintf(c, format+"\r\n", args...) }
	reply("220 smtptest ready")
	var cur Mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			reply("250-smtptest\r\n250 8BITMIME")
		case "HELO":
			reply("250 smtptest")
		case "MAIL":
			cur = Mail{From: addr(line)}
			reply("250 ok")
		case "RCPT":
			s.mu.Lock()
			rej := s.reject
			s.mu.Unlock()
			if rej != "" {
				reply("%s", rej)
				continue
			}
			cur.To = append(cur.To, addr(line))
			reply("250 ok")
		case "DATA":
			reply("354 go ahead")
			data, err := readData(r)
			if err != nil {
				return
			}
			cur.Data = data
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			reply("250 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 command not implemented")
		}
	}
}

// readData reads a DATA section up to the lone dot, undoing dot-stuffing.
func readData(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if line == ".\r\n" || line == ".\n" {
			return b.String(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

// addr takes the address out of "MAIL FROM:<a@b>" or "RCPT TO:<a@b>".
func addr(line string) string {
	i, j := strings.IndexByte(line, '<'), strings.IndexByte(line, '>')
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}
