/*
 * mbed TLS 2.28 as an interop peer for shakedown (harness/tests/interop.rs,
 * vectors/peers/mbedtls-*.json). Built by ci/peers/install.sh.
 *
 *   mbedtls_peer list
 *       One line per version: `tls1.2 AES128-SHA ...`, the engine (OpenSSL)
 *       names of the RSA key-exchange suites this mbed TLS has there.
 *   mbedtls_peer server --cert CHAIN --key KEY [--ca CA]
 *                       [--auth none|request|require] [--min V] [--max V]
 *                       [--port P] [--timeout S]
 *       Listens on 127.0.0.1 (P, or a free port), prints
 *       `ready: listening on 127.0.0.1:PORT`, then one connection at a time:
 *       handshake (session-id resumption through a session cache, no
 *       tickets), a line `connection N: version=... suite=... resumed=...
 *       client_certs=N`, echo until the client closes. Runs until killed.
 *       request asks for a certificate and goes on without one or with
 *       one that does not verify (mbed TLS's VERIFY_OPTIONAL); require
 *       refuses both.
 *   mbedtls_peer client --port P --ca CA [--cert C --key K] [--min V]
 *                       [--max V] [--suite NAME] [--ping] [--resume]
 *       One handshake (two with --resume, the second offering the first's
 *       session). With --ping each sends a line and checks the echo and
 *       prints `negotiated ...`; without, it echoes everything it reads
 *       until the server closes (the client of `shakedown run`).
 *
 * Exit 0 on success, 1 on a TLS failure (mbed TLS has sent its alert), 2 on
 * a usage error. Every read has a deadline, so a stalled engine cannot hang
 * it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

/* The engine's twelve suites (IANA ids, RFC 5246 A.5); mbed TLS 2.28 has
 * all but the NULL ones (MBEDTLS_CIPHER_NULL_CIPHER is off in Debian), and
 * RC4 and 3DES only when named (REMOVE_ARC4/3DES_CIPHERSUITES). */
static const struct {
    const char *name;
    int id;
} SUITES[] = {
    {"AES256-GCM-SHA384", 0x009D}, {"AES128-GCM-SHA256", 0x009C},
    {"AES256-SHA256", 0x003D},     {"AES128-SHA256", 0x003C},
    {"AES256-SHA", 0x0035},        {"AES128-SHA", 0x002F},
    {"DES-CBC3-SHA", 0x000A},      {"RC4-SHA", 0x0005},
    {"RC4-MD5", 0x0004},           {"NULL-SHA256", 0x003B},
    {"NULL-SHA", 0x0002},          {"NULL-MD5", 0x0001},
};
#define NSUITES (sizeof SUITES / sizeof SUITES[0])

static const struct {
    const char *name;
    int minor;
} VERSIONS[] = {
    {"tls1.0", MBEDTLS_SSL_MINOR_VERSION_1},
    {"tls1.1", MBEDTLS_SSL_MINOR_VERSION_2},
    {"tls1.2", MBEDTLS_SSL_MINOR_VERSION_3},
};
#define NVERSIONS (sizeof VERSIONS / sizeof VERSIONS[0])

struct opts {
    const char *cmd, *cert, *key, *ca, *auth, *min, *max, *suite;
    int port, ping, resume;
    unsigned timeout_ms;
};

static int minor_of(const char *name) {
    for (size_t i = 0; i < NVERSIONS; i++)
        if (strcmp(VERSIONS[i].name, name) == 0) return VERSIONS[i].minor;
    return -1;
}

static const char *suite_name(int id) {
    for (size_t i = 0; i < NSUITES; i++)
        if (SUITES[i].id == id) return SUITES[i].name;
    return "unknown";
}

static const char *version_name(const mbedtls_ssl_context *ssl) {
    for (size_t i = 0; i < NVERSIONS; i++)
        if (VERSIONS[i].minor == ssl->minor_ver) return VERSIONS[i].name;
    return "unknown";
}

/* The suites this build can use at a version, from mbed TLS itself. */
static int usable(int id, int minor) {
    const mbedtls_ssl_ciphersuite_t *cs = mbedtls_ssl_ciphersuite_from_id(id);
    return cs != NULL && cs->key_exchange == MBEDTLS_KEY_EXCHANGE_RSA && cs->min_minor_ver <= minor &&
           cs->max_minor_ver >= minor;
}

static void fail(const char *what, int ret) {
    char buf[200];
    mbedtls_strerror(ret, buf, sizeof buf);
    printf("error: %s: -0x%04x %s\n", what, (unsigned)-ret, buf);
    fflush(stdout);
}

static int usage(void) {
    fprintf(stderr, "usage: mbedtls_peer list | server ... | client ... (see the source)\n");
    return 2;
}

static int parse(int argc, char **argv, struct opts *o) {
    memset(o, 0, sizeof *o);
    o->auth = "none";
    o->min = "tls1.0";
    o->max = "tls1.2";
    o->timeout_ms = 10000;
    if (argc < 2) return -1;
    o->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--ping") == 0) { o->ping = 1; continue; }
        if (strcmp(a, "--resume") == 0) { o->resume = 1; continue; }
        if (v == NULL) return -1;
        i++;
        if (strcmp(a, "--port") == 0) o->port = atoi(v);
        else if (strcmp(a, "--cert") == 0) o->cert = v;
        else if (strcmp(a, "--key") == 0) o->key = v;
        else if (strcmp(a, "--ca") == 0) o->ca = v;
        else if (strcmp(a, "--auth") == 0) o->auth = v;
        else if (strcmp(a, "--min") == 0) o->min = v;
        else if (strcmp(a, "--max") == 0) o->max = v;
        else if (strcmp(a, "--suite") == 0) o->suite = v;
        else if (strcmp(a, "--timeout") == 0) o->timeout_ms = (unsigned)(atof(v) * 1000);
        else return -1;
    }
    return 0;
}

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_x509_crt own, trust;
static mbedtls_pk_context own_key;
static int suite_list[NSUITES + 1];

/* One configuration for every connection of the process. */
static int configure(mbedtls_ssl_config *conf, const struct opts *o, int endpoint) {
    int ret, lo = minor_of(o->min), hi = minor_of(o->max), n = 0;
    if (lo < 0 || hi < 0) {
        printf("error: unknown or unsupported version %s..%s\n", o->min, o->max);
        return -1;
    }
    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                     (const unsigned char *)"shakedown", 9)) != 0) {
        fail("drbg", ret);
        return -1;
    }
    if ((ret = mbedtls_ssl_config_defaults(conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0) {
        fail("config", ret);
        return -1;
    }
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, lo);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, hi);
    for (size_t i = 0; i < NSUITES; i++) {
        if (o->suite != NULL && strcmp(o->suite, SUITES[i].name) != 0) continue;
        if (mbedtls_ssl_ciphersuite_from_id(SUITES[i].id) != NULL) suite_list[n++] = SUITES[i].id;
    }
    suite_list[n] = 0;
    if (n == 0) {
        printf("error: this mbed TLS has no suite %s\n", o->suite ? o->suite : "(any)");
        return -1;
    }
    mbedtls_ssl_conf_ciphersuites(conf, suite_list);
    /* RC4 is off at run time unless asked for (RFC 7465 forbids it; the
     * suites are here to be tested, not recommended). */
    mbedtls_ssl_conf_arc4_support(conf, MBEDTLS_SSL_ARC4_ENABLED);
    mbedtls_ssl_conf_read_timeout(conf, o->timeout_ms);
    mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_ENABLED);
    mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    if (o->cert != NULL) {
        if ((ret = mbedtls_x509_crt_parse_file(&own, o->cert)) != 0 ||
            (ret = mbedtls_pk_parse_keyfile(&own_key, o->key, NULL)) != 0 ||
            (ret = mbedtls_ssl_conf_own_cert(conf, &own, &own_key)) != 0) {
            fail("certificate or key", ret);
            return -1;
        }
    }
    if (o->ca != NULL) {
        if ((ret = mbedtls_x509_crt_parse_file(&trust, o->ca)) != 0) {
            fail("ca", ret);
            return -1;
        }
        mbedtls_ssl_conf_ca_chain(conf, &trust, NULL);
    }
    if (endpoint == MBEDTLS_SSL_IS_CLIENT) {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else if (strcmp(o->auth, "request") == 0) {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    } else if (strcmp(o->auth, "require") == 0) {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    return 0;
}

static int peer_certs(const mbedtls_ssl_context *ssl) {
    int n = 0;
    for (const mbedtls_x509_crt *c = mbedtls_ssl_get_peer_cert(ssl); c != NULL && c->raw.len > 0; c = c->next)
        n++;
    return n;
}

/* Writes back what it reads until the peer closes; returns bytes echoed or
 * a negative mbed TLS error. */
static long echo(mbedtls_ssl_context *ssl) {
    unsigned char buf[16384];
    long total = 0;
    for (;;) {
        int n = mbedtls_ssl_read(ssl, buf, sizeof buf);
        if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || n == 0) return total;
        if (n < 0) return n;
        for (int off = 0; off < n;) {
            int w = mbedtls_ssl_write(ssl, buf + off, (size_t)(n - off));
            if (w == MBEDTLS_ERR_SSL_WANT_READ || w == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
            if (w < 0) return w;
            off += w;
        }
        total += n;
    }
}

static int handshake(mbedtls_ssl_context *ssl) {
    int ret;
    while ((ret = mbedtls_ssl_handshake(ssl)) != 0)
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) return ret;
    return 0;
}

static int cmd_server(const struct opts *o) {
    mbedtls_ssl_config conf;
    mbedtls_ssl_cache_context cache;
    mbedtls_net_context listener;
    char port[16];
    unsigned char seen_id[32];
    size_t seen_len = 0;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_cache_init(&cache);
    mbedtls_net_init(&listener);
    if (configure(&conf, o, MBEDTLS_SSL_IS_SERVER) != 0) return 1;
    mbedtls_ssl_conf_session_cache(&conf, &cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    snprintf(port, sizeof port, "%d", o->port);
    int ret = mbedtls_net_bind(&listener, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP);
    if (ret != 0) {
        fail("bind", ret);
        return 1;
    }
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    if (getsockname(listener.fd, (struct sockaddr *)&addr, &len) != 0) return 1;
    printf("ready: listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (long n = 0;; n++) {
        mbedtls_net_context client;
        mbedtls_ssl_context ssl;
        mbedtls_net_init(&client);
        mbedtls_ssl_init(&ssl);
        if ((ret = mbedtls_net_accept(&listener, &client, NULL, 0, NULL)) != 0) {
            fail("accept", ret);
            return 1;
        }
        if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0) {
            fail("setup", ret);
            return 1;
        }
        mbedtls_ssl_set_bio(&ssl, &client, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
        if ((ret = handshake(&ssl)) != 0) {
            printf("connection %ld: ", n);
            fail("handshake", ret);
        } else {
            const mbedtls_ssl_session *s = ssl.session;
            /* A resumed session keeps the id the server gave before. */
            int resumed = s->id_len > 0 && s->id_len == seen_len && memcmp(s->id, seen_id, seen_len) == 0;
            seen_len = s->id_len;
            memcpy(seen_id, s->id, s->id_len);
            printf("connection %ld: version=%s suite=%s resumed=%s client_certs=%d\n", n,
                   version_name(&ssl), suite_name(s->ciphersuite), resumed ? "true" : "false",
                   peer_certs(&ssl));
            fflush(stdout);
            long echoed = echo(&ssl);
            if (echoed < 0) {
                printf("connection %ld: after the handshake: ", n);
                fail("read", (int)echoed);
            } else {
                printf("connection %ld: echoed=%ld\n", n, echoed);
                mbedtls_ssl_close_notify(&ssl);
            }
        }
        fflush(stdout);
        mbedtls_ssl_free(&ssl);
        mbedtls_net_free(&client);
    }
}

static int client_once(mbedtls_ssl_config *conf, const struct opts *o, mbedtls_ssl_session *saved, int attempt) {
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    char port[16];
    int ret, rc = 1;
    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    snprintf(port, sizeof port, "%d", o->port);
    if ((ret = mbedtls_net_connect(&net, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP)) != 0) {
        fail("connect", ret);
        goto out;
    }
    if ((ret = mbedtls_ssl_setup(&ssl, conf)) != 0 || (ret = mbedtls_ssl_set_hostname(&ssl, "localhost")) != 0) {
        fail("setup", ret);
        goto out;
    }
    if (attempt > 0 && (ret = mbedtls_ssl_set_session(&ssl, saved)) != 0) {
        fail("set_session", ret);
        goto out;
    }
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    if ((ret = handshake(&ssl)) != 0) {
        fail("handshake", ret);
        goto out;
    }
    int resumed = attempt > 0 && ssl.session->id_len > 0 && ssl.session->id_len == saved->id_len &&
                  memcmp(ssl.session->id, saved->id, saved->id_len) == 0;
    printf("negotiated version=%s suite=%s resumed=%s\n", version_name(&ssl),
           suite_name(ssl.session->ciphersuite), resumed ? "true" : "false");
    fflush(stdout);
    if (attempt == 0 && (ret = mbedtls_ssl_get_session(&ssl, saved)) != 0) {
        fail("get_session", ret);
        goto out;
    }
    if (!o->ping) {
        long echoed = echo(&ssl);
        if (echoed < 0) {
            fail("read", (int)echoed);
            goto out;
        }
        printf("echoed %ld bytes\n", echoed);
        /* RFC 5246 7.2.1: answer the server's close_notify with our own
         * (mbed TLS leaves that to the application). */
        mbedtls_ssl_close_notify(&ssl);
        rc = 0;
        goto out;
    }
    char line[64];
    unsigned char got[64];
    int len = snprintf(line, sizeof line, "ping from mbed TLS %d\n", attempt);
    while ((ret = mbedtls_ssl_write(&ssl, (const unsigned char *)line, (size_t)len)) < 0)
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            fail("write", ret);
            goto out;
        }
    int have = 0;
    while (have < len) {
        ret = mbedtls_ssl_read(&ssl, got + have, (size_t)(len - have));
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (ret <= 0) break;
        have += ret;
    }
    printf("received %d bytes\n", have);
    if (have != len || memcmp(got, line, (size_t)len) != 0) {
        printf("error: echo mismatch\n");
        goto out;
    }
    if (attempt > 0 && !resumed) {
        printf("error: session not resumed\n");
        goto out;
    }
    mbedtls_ssl_close_notify(&ssl);
    rc = 0;
out:
    fflush(stdout);
    mbedtls_ssl_free(&ssl);
    mbedtls_net_free(&net);
    return rc;
}

static int cmd_client(const struct opts *o) {
    mbedtls_ssl_config conf;
    mbedtls_ssl_session saved;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_session_init(&saved);
    if (o->port <= 0 || configure(&conf, o, MBEDTLS_SSL_IS_CLIENT) != 0) return 2;
    for (int attempt = 0; attempt < (o->resume ? 2 : 1); attempt++)
        if (client_once(&conf, o, &saved, attempt) != 0) return 1;
    return 0;
}

static int cmd_list(void) {
    for (size_t v = 0; v < NVERSIONS; v++) {
        printf("%s", VERSIONS[v].name);
        for (size_t i = 0; i < NSUITES; i++)
            if (usable(SUITES[i].id, VERSIONS[v].minor)) printf(" %s", SUITES[i].name);
        printf("\n");
    }
    return 0;
}

int main(int argc, char **argv) {
    struct opts o;
    if (parse(argc, argv, &o) != 0) return usage();
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&own);
    mbedtls_x509_crt_init(&trust);
    mbedtls_pk_init(&own_key);
    if (strcmp(o.cmd, "list") == 0) return cmd_list();
    if (strcmp(o.cmd, "version") == 0) return printf("mbed TLS %s\n", MBEDTLS_VERSION_STRING) < 0;
    if (strcmp(o.cmd, "server") == 0) return cmd_server(&o);
    if (strcmp(o.cmd, "client") == 0) return cmd_client(&o);
    return usage();
}
