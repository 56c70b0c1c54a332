// Command gopeer is Go's crypto/tls as an interop peer for shakedown
// (harness/tests/interop.rs, vectors/peers/go-*.json). Standard library only.
//
//	gopeer list
//	    One line per version: `tls1.2 AES128-SHA ...`, the engine (OpenSSL)
//	    names of the RSA key-exchange suites crypto/tls has at that version.
//	gopeer server --cert CHAIN --key KEY [--ca CA] [--auth none|request|require]
//	              [--min V] [--max V] [--port P]
//	    Listens on 127.0.0.1 (P, or a free port), prints
//	    `ready: listening on 127.0.0.1:PORT`, then per connection: handshake,
//	    one line `connection N: version=... suite=... resumed=... client_certs=N`,
//	    echo application data until the client closes. Runs until killed.
//	gopeer client --port P --ca CA [--cert C --key K] [--min V] [--max V]
//	              [--suite NAME] [--ping] [--timeout S]
//	    One handshake. With --ping: send a line, read it back, print
//	    `negotiated ...` and `received N bytes`, exit 0 on a match. Without:
//	    echo every piece of application data until the server closes (the
//	    client of `shakedown run`).
//
// crypto/tls resumes only through session tickets (RFC 5077), never by
// session id, and has no SSL 3.0, RC4-MD5, AES256-SHA256 or NULL suites; it
// negotiates neither extended_master_secret (before Go 1.21) nor
// encrypt_then_mac.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Engine (OpenSSL) names of the RSA key-exchange suites crypto/tls implements.
var suites = []struct {
	name  string
	id    uint16
	tls12 bool
}{
	{"AES256-GCM-SHA384", tls.TLS_RSA_WITH_AES_256_GCM_SHA384, true},
	{"AES128-GCM-SHA256", tls.TLS_RSA_WITH_AES_128_GCM_SHA256, true},
	{"AES128-SHA256", tls.TLS_RSA_WITH_AES_128_CBC_SHA256, true},
	{"AES256-SHA", tls.TLS_RSA_WITH_AES_256_CBC_SHA, false},
	{"AES128-SHA", tls.TLS_RSA_WITH_AES_128_CBC_SHA, false},
	{"DES-CBC3-SHA", tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, false},
	{"RC4-SHA", tls.TLS_RSA_WITH_RC4_128_SHA, false},
}

var versions = []struct {
	name string
	v    uint16
}{
	{"tls1.0", tls.VersionTLS10},
	{"tls1.1", tls.VersionTLS11},
	{"tls1.2", tls.VersionTLS12},
}

func versionByName(s string) (uint16, error) {
	for _, v := range versions {
		if v.name == s {
			return v.v, nil
		}
	}
	return 0, fmt.Errorf("unknown or unsupported version %q", s)
}

func versionName(v uint16) string {
	for _, x := range versions {
		if x.v == v {
			return x.name
		}
	}
	return fmt.Sprintf("0x%04x", v)
}

func suiteName(id uint16) string {
	for _, s := range suites {
		if s.id == id {
			return s.name
		}
	}
	return fmt.Sprintf("0x%04x", id)
}

// allSuites lists every RSA suite, the "insecure" RC4 and 3DES ones
// included: crypto/tls offers those only when they are named.
func allSuites() []uint16 {
	ids := make([]uint16, 0, len(suites))
	for _, s := range suites {
		ids = append(ids, s.id)
	}
	return ids
}

type common struct {
	port    int
	cert    string
	key     string
	ca      string
	min     string
	max     string
	suite   string
	timeout time.Duration
}

func (c *common) register(fs *flag.FlagSet) {
	fs.IntVar(&c.port, "port", 0, "loopback port")
	fs.StringVar(&c.cert, "cert", "", "certificate chain (PEM)")
	fs.StringVar(&c.key, "key", "", "private key (PEM)")
	fs.StringVar(&c.ca, "ca", "", "trusted CA (PEM)")
	fs.StringVar(&c.min, "min", "tls1.0", "lowest version")
	fs.StringVar(&c.max, "max", "tls1.2", "highest version")
	fs.StringVar(&c.suite, "suite", "", "one suite (engine name); default all")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-connection deadline")
}

func (c *common) config() (*tls.Config, error) {
	cfg := &tls.Config{CipherSuites: allSuites(), ServerName: "localhost"}
	var err error
	if cfg.MinVersion, err = versionByName(c.min); err != nil {
		return nil, err
	}
	if cfg.MaxVersion, err = versionByName(c.max); err != nil {
		return nil, err
	}
	if c.suite != "" {
		cfg.CipherSuites = nil
		for _, s := range suites {
			if s.name == c.suite {
				cfg.CipherSuites = []uint16{s.id}
			}
		}
		if cfg.CipherSuites == nil {
			return nil, fmt.Errorf("crypto/tls has no suite %q", c.suite)
		}
	}
	if c.cert != "" {
		pair, err := tls.LoadX509KeyPair(c.cert, c.key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if c.ca != "" {
		pem, err := os.ReadFile(c.ca)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("no certificate in " + c.ca)
		}
		cfg.RootCAs, cfg.ClientCAs = pool, pool
	}
	return cfg, nil
}

func describe(st tls.ConnectionState) string {
	return fmt.Sprintf("version=%s suite=%s resumed=%t client_certs=%d",
		versionName(st.Version), suiteName(st.CipherSuite), st.DidResume, len(st.PeerCertificates))
}

func server(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	var c common
	c.register(fs)
	auth := fs.String("auth", "none", "client authentication: none, request, require")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	switch *auth {
	case "none":
		cfg.ClientAuth = tls.NoClientCert
	case "request":
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case "require":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		return fmt.Errorf("unknown --auth %q", *auth)
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", c.port))
	if err != nil {
		return err
	}
	fmt.Printf("ready: listening on %s\n", l.Addr())
	for n := 0; ; n++ {
		raw, err := l.Accept()
		if err != nil {
			return err
		}
		go serveOne(n, tls.Server(raw, cfg), c.timeout)
	}
}

func serveOne(n int, conn *tls.Conn, timeout time.Duration) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if err := conn.Handshake(); err != nil {
		fmt.Printf("connection %d: error: %v\n", n, err)
		return
	}
	what := describe(conn.ConnectionState())
	echoed, err := echo(conn, timeout)
	if err != nil {
		fmt.Printf("connection %d: %s echoed=%d error: %v\n", n, what, echoed, err)
		return
	}
	fmt.Printf("connection %d: %s echoed=%d\n", n, what, echoed)
}

// echo writes back what it reads until the peer closes.
func echo(conn *tls.Conn, timeout time.Duration) (int, error) {
	buf := make([]byte, 16384)
	total := 0
	for {
		_ = conn.SetDeadline(time.Now().Add(timeout))
		k, err := conn.Read(buf)
		if k > 0 {
			if _, werr := conn.Write(buf[:k]); werr != nil {
				return total, werr
			}
			total += k
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func client(args []string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	var c common
	c.register(fs)
	ping := fs.Bool("ping", false, "send a line and check the echo, then close")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	// A client may renegotiate once when the server asks (RFC 5746).
	cfg.Renegotiation = tls.RenegotiateOnceAsClient
	raw, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", c.port), c.timeout)
	if err != nil {
		return err
	}
	conn := tls.Client(raw, cfg)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(c.timeout))
	if err := conn.Handshake(); err != nil {
		return err
	}
	fmt.Printf("negotiated %s\n", describe(conn.ConnectionState()))
	if !*ping {
		n, err := echo(conn, c.timeout)
		fmt.Printf("echoed %d bytes\n", n)
		return err
	}
	line := []byte("ping from go crypto/tls\n")
	if _, err := conn.Write(line); err != nil {
		return err
	}
	got := make([]byte, len(line))
	if _, err := io.ReadFull(conn, got); err != nil {
		return err
	}
	fmt.Printf("received %d bytes: %q\n", len(got), got)
	if string(got) != string(line) {
		return errors.New("echo mismatch")
	}
	return conn.CloseWrite()
}

func list() {
	for _, v := range versions {
		names := []string{}
		for _, s := range suites {
			if !s.tls12 || v.v == tls.VersionTLS12 {
				names = append(names, s.name)
			}
		}
		fmt.Println(v.name, strings.Join(names, " "))
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gopeer list | server ... | client ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "list":
		list()
	case "server":
		err = server(os.Args[2:])
	case "client":
		err = client(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Printf("error: %v\n", err)
		os.Exit(1)
	}
}
