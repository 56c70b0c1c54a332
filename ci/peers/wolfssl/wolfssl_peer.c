/*
 * wolfSSL 5.5 as an interop peer for shakedown (harness/tests/interop.rs,
 * vectors/peers/wolfssl-*.json). Built by ci/peers/install.sh against the
 * system libwolfssl.
 *
 *   wolfssl_peer list
 *       One line per version this wolfSSL has: `tls1.2 AES128-SHA ...`, the
 *       RSA key-exchange suites among the engine's twelve that it can use.
 *       Debian's libwolfssl 5.5.4 is built without WOLFSSL_STATIC_RSA and
 *       without WOLFSSL_ALLOW_TLSV10, so it prints `tls1.1` and `tls1.2`
 *       with no suite: it cannot do RSA key exchange at all.
 *   wolfssl_peer server --cert CHAIN --key KEY [--ca CA]
 *                       [--auth none|request|require] [--min V] [--max V]
 *                       [--port P] [--timeout S]
 *       Listens on 127.0.0.1 (P, or a free port), prints
 *       `ready: listening on 127.0.0.1:PORT`, then one connection at a time:
 *       handshake (every suite wolfSSL has), a line `connection N: ...`,
 *       echo until the client closes. Runs until killed.
 *   wolfssl_peer client --port P --ca CA [--cert C --key K] [--min V]
 *                       [--max V] [--suite NAME] [--ping]
 *       One handshake; with --ping a line out and its echo back, without
 *       it echoes until the server closes.
 *
 * Exit 0 on success, 1 on a TLS failure, 2 on a usage error.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const char *SUITES[] = {
    "AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-SHA256", "AES128-SHA256",
    "AES256-SHA",        "AES128-SHA",        "DES-CBC3-SHA",  "RC4-SHA",
    "RC4-MD5",           "NULL-SHA256",       "NULL-SHA",      "NULL-MD5",
};
#define NSUITES (sizeof SUITES / sizeof SUITES[0])

static const struct {
    const char *name;
    int min_enum;  /* wolfSSL_CTX_SetMinVersion */
    int proto;     /* wolfSSL_CTX_set_max_proto_version */
} VERSIONS[] = {
    {"tls1.0", WOLFSSL_TLSV1, TLS1_VERSION},
    {"tls1.1", WOLFSSL_TLSV1_1, TLS1_1_VERSION},
    {"tls1.2", WOLFSSL_TLSV1_2, TLS1_2_VERSION},
};
#define NVERSIONS (sizeof VERSIONS / sizeof VERSIONS[0])

struct opts {
    const char *cmd, *cert, *key, *ca, *auth, *min, *max, *suite;
    int port, ping;
    double timeout;
};

static int version_index(const char *name) {
    for (size_t i = 0; i < NVERSIONS; i++)
        if (strcmp(VERSIONS[i].name, name) == 0) return (int)i;
    return -1;
}

static int parse(int argc, char **argv, struct opts *o) {
    memset(o, 0, sizeof *o);
    o->auth = "none";
    o->min = "tls1.1";
    o->max = "tls1.2";
    o->timeout = 10;
    if (argc < 2) return -1;
    o->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--ping") == 0) { o->ping = 1; continue; }
        if (i + 1 >= argc) return -1;
        const char *v = argv[++i];
        if (strcmp(a, "--port") == 0) o->port = atoi(v);
        else if (strcmp(a, "--cert") == 0) o->cert = v;
        else if (strcmp(a, "--key") == 0) o->key = v;
        else if (strcmp(a, "--ca") == 0) o->ca = v;
        else if (strcmp(a, "--auth") == 0) o->auth = v;
        else if (strcmp(a, "--min") == 0) o->min = v;
        else if (strcmp(a, "--max") == 0) o->max = v;
        else if (strcmp(a, "--suite") == 0) o->suite = v;
        else if (strcmp(a, "--timeout") == 0) o->timeout = atof(v);
        else return -1;
    }
    return 0;
}

static void report(WOLFSSL *ssl, const char *what, int ret) {
    char buf[WOLFSSL_MAX_ERROR_SZ];
    int err = ssl ? wolfSSL_get_error(ssl, ret) : ret;
    printf("error: %s: %d %s\n", what, err, wolfSSL_ERR_error_string((unsigned long)err, buf));
    fflush(stdout);
}

/* The engine's suites this wolfSSL can use, as a cipher list; empty when none. */
static void cipher_list(char *out, size_t cap) {
    char all[8192];
    out[0] = '\0';
    if (wolfSSL_get_ciphers(all, sizeof all) != WOLFSSL_SUCCESS) return;
    for (size_t i = 0; i < NSUITES; i++) {
        char *p = all;
        size_t n = strlen(SUITES[i]);
        for (; (p = strstr(p, SUITES[i])) != NULL; p += n) {
            int starts = p == all || p[-1] == ':';
            int ends = p[n] == '\0' || p[n] == ':';
            if (starts && ends) {
                if (out[0] != '\0') strncat(out, ":", cap - strlen(out) - 1);
                strncat(out, SUITES[i], cap - strlen(out) - 1);
                break;
            }
        }
    }
}

static WOLFSSL_CTX *context(const struct opts *o, int server) {
    int lo = version_index(o->min), hi = version_index(o->max);
    if (lo < 0 || hi < 0) {
        printf("error: unknown version range %s..%s\n", o->min, o->max);
        return NULL;
    }
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(server ? wolfSSLv23_server_method() : wolfSSLv23_client_method());
    if (ctx == NULL) return NULL;
    if (wolfSSL_CTX_SetMinVersion(ctx, VERSIONS[lo].min_enum) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_set_max_proto_version(ctx, VERSIONS[hi].proto) != WOLFSSL_SUCCESS) {
        printf("error: this wolfSSL refuses the version range %s..%s\n", o->min, o->max);
        return NULL;
    }
    char list[1024];
    cipher_list(list, sizeof list);
    if (o->suite != NULL && list[0] != '\0') {
        if (strstr(list, o->suite) == NULL) {
            printf("error: this wolfSSL has no suite %s\n", o->suite);
            return NULL;
        }
        snprintf(list, sizeof list, "%s", o->suite);
    }
    if (list[0] == '\0') {
        /* No RSA key-exchange suite: offer what wolfSSL has, so the other
         * side sees (and refuses) a real hello. */
        printf("note: no RSA key-exchange suite in this wolfSSL\n");
    } else if (wolfSSL_CTX_set_cipher_list(ctx, list) != WOLFSSL_SUCCESS) {
        printf("error: cipher list %s refused\n", list);
        return NULL;
    }
    if (o->cert != NULL &&
        (wolfSSL_CTX_use_certificate_chain_file(ctx, o->cert) != WOLFSSL_SUCCESS ||
         wolfSSL_CTX_use_PrivateKey_file(ctx, o->key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS)) {
        printf("error: certificate or key %s %s\n", o->cert, o->key);
        return NULL;
    }
    if (o->ca != NULL && wolfSSL_CTX_load_verify_locations(ctx, o->ca, NULL) != WOLFSSL_SUCCESS) {
        printf("error: ca %s\n", o->ca);
        return NULL;
    }
    int mode = WOLFSSL_VERIFY_NONE;
    if (!server || strcmp(o->auth, "request") == 0) mode = WOLFSSL_VERIFY_PEER;
    if (server && strcmp(o->auth, "require") == 0)
        mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    wolfSSL_CTX_set_verify(ctx, mode, NULL);
    return ctx;
}

static void deadline(int fd, double seconds) {
    struct timeval tv = {(time_t)seconds, (suseconds_t)((seconds - (time_t)seconds) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static long echo(WOLFSSL *ssl) {
    char buf[16384];
    long total = 0;
    for (;;) {
        int n = wolfSSL_read(ssl, buf, sizeof buf);
        if (n <= 0) {
            int err = wolfSSL_get_error(ssl, n);
            return err == WOLFSSL_ERROR_ZERO_RETURN || err == SOCKET_PEER_CLOSED_E ? total : -1;
        }
        if (wolfSSL_write(ssl, buf, n) != n) return -1;
        total += n;
    }
}

static const char *describe(WOLFSSL *ssl) {
    static char line[256];
    snprintf(line, sizeof line, "version=%s suite=%s resumed=%s", wolfSSL_get_version(ssl),
             wolfSSL_get_cipher_name(ssl), wolfSSL_session_reused(ssl) ? "true" : "false");
    return line;
}

static int cmd_server(const struct opts *o) {
    WOLFSSL_CTX *ctx = context(o, 1);
    if (ctx == NULL) return 1;
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)o->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 16) != 0 ||
        getsockname(l, (struct sockaddr *)&a, &len) != 0) {
        perror("error: listen");
        return 1;
    }
    printf("ready: listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (long n = 0;; n++) {
        int fd = accept(l, NULL, NULL);
        if (fd < 0) continue;
        deadline(fd, o->timeout);
        WOLFSSL *ssl = wolfSSL_new(ctx);
        wolfSSL_set_fd(ssl, fd);
        int ret = wolfSSL_accept(ssl);
        if (ret != WOLFSSL_SUCCESS) {
            printf("connection %ld: ", n);
            report(ssl, "handshake", ret);
        } else {
            printf("connection %ld: %s\n", n, describe(ssl));
            printf("connection %ld: echoed=%ld\n", n, echo(ssl));
            wolfSSL_shutdown(ssl);
        }
        fflush(stdout);
        wolfSSL_free(ssl);
        close(fd);
    }
}

static int cmd_client(const struct opts *o) {
    WOLFSSL_CTX *ctx = context(o, 0);
    if (ctx == NULL || o->port <= 0) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)o->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    deadline(fd, o->timeout);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("error: connect");
        return 1;
    }
    WOLFSSL *ssl = wolfSSL_new(ctx);
    wolfSSL_set_fd(ssl, fd);
    wolfSSL_check_domain_name(ssl, "localhost");
    int ret = wolfSSL_connect(ssl);
    if (ret != WOLFSSL_SUCCESS) {
        report(ssl, "handshake", ret);
        return 1;
    }
    printf("negotiated %s\n", describe(ssl));
    fflush(stdout);
    int rc = 0;
    if (!o->ping) {
        long n = echo(ssl);
        printf("echoed %ld bytes\n", n);
        rc = n < 0;
    } else {
        const char line[] = "ping from wolfSSL\n";
        char got[sizeof line];
        int have = 0, len = (int)sizeof line - 1;
        if (wolfSSL_write(ssl, line, len) != len) return 1;
        while (have < len) {
            int n = wolfSSL_read(ssl, got + have, len - have);
            if (n <= 0) break;
            have += n;
        }
        printf("received %d bytes\n", have);
        rc = have != len || memcmp(got, line, (size_t)len) != 0;
    }
    wolfSSL_shutdown(ssl);
    wolfSSL_free(ssl);
    close(fd);
    return rc;
}

static int cmd_list(void) {
    char list[1024];
    cipher_list(list, sizeof list);
    for (size_t v = 0; v < NVERSIONS; v++) {
        WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
        int ok = ctx != NULL && wolfSSL_CTX_SetMinVersion(ctx, VERSIONS[v].min_enum) == WOLFSSL_SUCCESS;
        if (ctx != NULL) wolfSSL_CTX_free(ctx);
        if (!ok) continue;
        printf("%s", VERSIONS[v].name);
        for (char *s = list; *s != '\0';) {
            size_t n = strcspn(s, ":");
            int tls12_only = (n > 3 && (strncmp(s + n - 3, "256", 3) == 0 || strncmp(s + n - 3, "384", 3) == 0));
            if (!tls12_only || strcmp(VERSIONS[v].name, "tls1.2") == 0) printf(" %.*s", (int)n, s);
            s += n + (s[n] == ':');
        }
        printf("\n");
    }
    return 0;
}

int main(int argc, char **argv) {
    struct opts o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: wolfssl_peer list | version | server ... | client ...\n");
        return 2;
    }
    wolfSSL_Init();
    if (strcmp(o.cmd, "list") == 0) return cmd_list();
    if (strcmp(o.cmd, "version") == 0) return printf("wolfSSL %s\n", wolfSSL_lib_version()) < 0;
    if (strcmp(o.cmd, "server") == 0) return cmd_server(&o);
    if (strcmp(o.cmd, "client") == 0) return cmd_client(&o);
    return 2;
}
