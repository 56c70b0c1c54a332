// Java JSSE (SunJSSE) as an interop peer for shakedown
// (harness/tests/interop.rs, vectors/peers/jsse-*.json). Compiled by
// ci/peers/install.sh; run with -Djava.security.properties=ci/peers/jsse/java.security,
// which re-enables SSL 3.0, TLS 1.0/1.1 and the legacy suites.
//
//   JssePeer list
//       One line per version: `tls1.2 AES128-SHA ...`, the engine (OpenSSL)
//       names of the RSA key-exchange suites JSSE supports there.
//   JssePeer server --cert CHAIN --key KEY [--ca CA] [--auth none|request|require]
//                   [--min V] [--max V] [--port P] [--timeout S]
//       Listens on 127.0.0.1 (P, or a free port), prints
//       `ready: listening on 127.0.0.1:PORT`, then per connection (a thread
//       each): handshake, a line `connection N: version=... suite=...
//       resumed=... client_certs=N`, echo until the client closes.
//   JssePeer client --port P --ca CA [--cert C --key K] [--min V] [--max V]
//                   [--suite NAME] [--ping] [--resume] [--timeout S]
//       One handshake (two with --resume: JSSE offers the cached session of
//       the same host and port). With --ping each sends a line and checks
//       the echo; without, it echoes what it reads until the server closes.
//   JssePeer client --per-line ... (the same options, without --ping and
//                   --resume)
//       Stays up: for each line read on standard input, one new connection
//       as above (echo until the server closes), each with a new SSLContext
//       so no session is cached between them; exits at the end of input.
//       `shakedown learn` resets a client so without a JVM per query
//       (vectors/peers/jsse-client.json, `reset_by_line`).

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class JssePeer {
    /** Engine (OpenSSL) suite names and JSSE's names for them. */
    static final Map<String, String> SUITES = new LinkedHashMap<>();
    /** Engine version names and JSSE's protocol names. */
    static final Map<String, String> VERSIONS = new LinkedHashMap<>();

    static {
        SUITES.put("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384");
        SUITES.put("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256");
        SUITES.put("AES256-SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256");
        SUITES.put("AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256");
        SUITES.put("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");
        SUITES.put("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA");
        SUITES.put("DES-CBC3-SHA", "SSL_RSA_WITH_3DES_EDE_CBC_SHA");
        SUITES.put("RC4-SHA", "SSL_RSA_WITH_RC4_128_SHA");
        SUITES.put("RC4-MD5", "SSL_RSA_WITH_RC4_128_MD5");
        SUITES.put("NULL-SHA256", "TLS_RSA_WITH_NULL_SHA256");
        SUITES.put("NULL-SHA", "SSL_RSA_WITH_NULL_SHA");
        SUITES.put("NULL-MD5", "SSL_RSA_WITH_NULL_MD5");
        VERSIONS.put("ssl3", "SSLv3");
        VERSIONS.put("tls1.0", "TLSv1");
        VERSIONS.put("tls1.1", "TLSv1.1");
        VERSIONS.put("tls1.2", "TLSv1.2");
    }

    static final class Opts {
        String cmd, cert, key, ca, suite, auth = "none", min = "tls1.0", max = "tls1.2";
        int port;
        int timeoutMs = 10000;
        boolean ping, resume, perLine;
    }

    public static void main(String[] args) {
        try {
            Opts o = parse(args);
            switch (o.cmd) {
                case "list": list(); break;
                case "version": System.out.println("Java " + System.getProperty("java.version") + " SunJSSE"); break;
                case "server": server(o); break;
                case "client": System.exit(o.perLine ? clientPerLine(o) : client(o)); break;
                default: usage();
            }
        } catch (IllegalArgumentException e) {
            System.out.println("error: " + e.getMessage());
            usage();
        } catch (Exception e) {
            System.out.println("error: " + e);
            System.exit(1);
        }
    }

    static void usage() {
        System.err.println("usage: JssePeer list | server ... | client ... (see the source)");
        System.exit(2);
    }

    static Opts parse(String[] a) {
        if (a.length < 1) throw new IllegalArgumentException("no command");
        Opts o = new Opts();
        o.cmd = a[0];
        for (int i = 1; i < a.length; i++) {
            String f = a[i];
            if (f.equals("--ping")) { o.ping = true; continue; }
            if (f.equals("--resume")) { o.resume = true; continue; }
            if (f.equals("--per-line")) { o.perLine = true; continue; }
            if (i + 1 >= a.length) throw new IllegalArgumentException(f + " needs a value");
            String v = a[++i];
            switch (f) {
                case "--port": o.port = Integer.parseInt(v); break;
                case "--cert": o.cert = v; break;
                case "--key": o.key = v; break;
                case "--ca": o.ca = v; break;
                case "--auth": o.auth = v; break;
                case "--min": o.min = v; break;
                case "--max": o.max = v; break;
                case "--suite": o.suite = v; break;
                case "--timeout": o.timeoutMs = (int) (Double.parseDouble(v) * 1000); break;
                default: throw new IllegalArgumentException("unknown flag " + f);
            }
        }
        return o;
    }

    /** Protocols from min to max, in JSSE's names. */
    static String[] protocols(Opts o) {
        List<String> names = new ArrayList<>(VERSIONS.keySet());
        int lo = names.indexOf(o.min), hi = names.indexOf(o.max);
        if (lo < 0 || hi < lo) throw new IllegalArgumentException("bad version range " + o.min + ".." + o.max);
        List<String> out = new ArrayList<>();
        for (int i = lo; i <= hi; i++) out.add(VERSIONS.get(names.get(i)));
        return out.toArray(new String[0]);
    }

    static String[] suites(Opts o, String[] supported) {
        List<String> have = Arrays.asList(supported);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : SUITES.entrySet()) {
            if (o.suite != null && !o.suite.equals(e.getKey())) continue;
            if (have.contains(e.getValue())) out.add(e.getValue());
        }
        if (out.isEmpty()) throw new IllegalArgumentException("JSSE has no suite " + o.suite);
        return out.toArray(new String[0]);
    }

    static List<Certificate> certs(String path) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    /** A PKCS#8 PEM private key (vectors/certs/*.key.pem). */
    static PrivateKey key(String path) throws Exception {
        String pem = Files.readString(Path.of(path), StandardCharsets.US_ASCII);
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    static SSLContext context(Opts o) throws Exception {
        KeyManagerFactory kmf = null;
        if (o.cert != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", key(o.key), new char[0], certs(o.cert).toArray(new Certificate[0]));
            kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, new char[0]);
        }
        TrustManagerFactory tmf = null;
        if (o.ca != null) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (Certificate c : certs(o.ca)) ts.setCertificateEntry("ca" + i++, c);
            tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ts);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return ctx;
    }

    static String engineSuite(String jsse) {
        for (Map.Entry<String, String> e : SUITES.entrySet()) if (e.getValue().equals(jsse)) return e.getKey();
        return jsse;
    }

    static String engineVersion(String jsse) {
        for (Map.Entry<String, String> e : VERSIONS.entrySet()) if (e.getValue().equals(jsse)) return e.getKey();
        return jsse;
    }

    static int peerCerts(SSLSession s) {
        try {
            return s.getPeerCertificates().length;
        } catch (Exception e) {
            return 0;
        }
    }

    static String describe(SSLSession s, boolean resumed) {
        return "version=" + engineVersion(s.getProtocol()) + " suite=" + engineSuite(s.getCipherSuite())
                + " resumed=" + resumed + " client_certs=" + peerCerts(s);
    }

    /** Writes back what it reads until the peer closes; the bytes echoed. */
    static long echo(SSLSocket s) throws Exception {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[16384];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            out.flush();
            total += n;
        }
        return total;
    }

    static void server(Opts o) throws Exception {
        SSLContext ctx = context(o);
        SSLServerSocket l = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(o.port, 16, InetAddress.getByName("127.0.0.1"));
        l.setEnabledProtocols(protocols(o));
        l.setEnabledCipherSuites(suites(o, l.getSupportedCipherSuites()));
        l.setWantClientAuth(o.auth.equals("request"));
        if (o.auth.equals("require")) l.setNeedClientAuth(true);
        System.out.println("ready: listening on 127.0.0.1:" + l.getLocalPort());
        System.out.flush();
        Map<String, Boolean> seen = new HashMap<>();
        for (int n = 0; ; n++) {
            SSLSocket s = (SSLSocket) l.accept();
            final int id = n;
            Thread t = new Thread(() -> serveOne(id, s, o.timeoutMs, seen));
            t.setDaemon(true);
            t.start();
        }
    }

    static void serveOne(int n, SSLSocket s, int timeoutMs, Map<String, Boolean> seen) {
        try (s) {
            s.setSoTimeout(timeoutMs);
            s.startHandshake();
            SSLSession sess = s.getSession();
            String key = Base64.getEncoder().encodeToString(sess.getId());
            boolean resumed;
            synchronized (seen) {
                resumed = seen.put(key, true) != null;
            }
            String what = describe(sess, resumed);
            System.out.println("connection " + n + ": " + what);
            long echoed = echo(s);
            System.out.println("connection " + n + ": echoed=" + echoed);
        } catch (Exception e) {
            System.out.println("connection " + n + ": error: " + e);
        }
    }

    /** --per-line: a connection per line of standard input. */
    static int clientPerLine(Opts o) throws Exception {
        if (o.ping || o.resume) throw new IllegalArgumentException("--per-line takes neither --ping nor --resume");
        java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (int n = 0; lines.readLine() != null; n++) {
            // A new context per connection: an empty session cache, so no
            // connection offers the session of the one before.
            try {
                client(o);
            } catch (Exception e) {
                // The learner's misbehaving server ends most connections.
                System.out.println("connection " + n + ": error: " + e);
            }
            System.out.flush();
        }
        return 0;
    }

    static int client(Opts o) throws Exception {
        SSLContext ctx = context(o);
        byte[] previous = null;
        for (int attempt = 0; attempt < (o.resume ? 2 : 1); attempt++) {
            Socket raw = new Socket();
            raw.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), o.port), o.timeoutMs);
            raw.setSoTimeout(o.timeoutMs);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", o.port, true)) {
                s.setEnabledProtocols(protocols(o));
                s.setEnabledCipherSuites(suites(o, s.getSupportedCipherSuites()));
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.startHandshake();
                SSLSession sess = s.getSession();
                boolean resumed = previous != null && Arrays.equals(previous, sess.getId());
                System.out.println("negotiated " + describe(sess, resumed));
                System.out.flush();
                if (!o.ping) {
                    // The client of `shakedown run`: echo until the server
                    // closes; with --resume, then resume the session.
                    System.out.println("echoed " + echo(s) + " bytes");
                    previous = sess.getId();
                    continue;
                }
                byte[] line = ("ping from JSSE " + attempt + "\n").getBytes(StandardCharsets.US_ASCII);
                s.getOutputStream().write(line);
                s.getOutputStream().flush();
                byte[] got = s.getInputStream().readNBytes(line.length);
                System.out.println("received " + got.length + " bytes");
                if (!Arrays.equals(got, line)) {
                    System.out.println("error: echo mismatch");
                    return 1;
                }
                if (attempt > 0 && !resumed) {
                    System.out.println("error: session not resumed");
                    return 1;
                }
                previous = sess.getId();
            }
        }
        return 0;
    }

    static void list() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        List<String> supported = Arrays.asList(ctx.getSupportedSSLParameters().getCipherSuites());
        List<String> protos = Arrays.asList(ctx.getSupportedSSLParameters().getProtocols());
        for (Map.Entry<String, String> v : VERSIONS.entrySet()) {
            if (!protos.contains(v.getValue())) continue;
            StringBuilder line = new StringBuilder(v.getKey());
            for (Map.Entry<String, String> s : SUITES.entrySet()) {
                boolean tls12Only = s.getKey().endsWith("256") || s.getKey().endsWith("384");
                if (supported.contains(s.getValue()) && (!tls12Only || v.getKey().equals("tls1.2"))) {
                    line.append(' ').append(s.getKey());
                }
            }
            System.out.println(line);
        }
    }
}
