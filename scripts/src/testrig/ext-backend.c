/* A Docker extension backend for the test fixtures (busybox has no HTTP server on a unix socket): serves HTTP/1.0
 * on a unix socket, as real extension backends do in /run/guest-services.
 *   ext-backend SOCKET NAME
 * GET /hello -> 200 {"hello":"NAME"}; POST|PUT /echo -> 200 with the request body (and its Content-Type);
 * GET /fail -> 500 {"message":"failed on purpose"}; GET /engine -> the body of the engine's GET /_ping asked over
 * /var/run/docker.sock (extensions bind-mount the VM's /var/run/docker.sock.raw there), GET /engine/containers ->
 * the engine's GET /containers/json?all=1 there (as an extension listing its own containers does), 502 when it
 * cannot be reached; anything else 404. Exits on SIGTERM (it runs as PID 1). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }

static void reply(int fd, int status, const char *type, const char *body, size_t len) {
  char head[256];
  const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 502 ? "Bad Gateway" : "Internal Server Error";
  int n = snprintf(head, sizeof head, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, reason, type, len);
  if (write(fd, head, (size_t)n) < 0) return;
  if (len && write(fd, body, len) < 0) return;
}

/* Asks the engine GET `what` on /var/run/docker.sock and answers with its body (for /_ping "OK"), or 502. */
static void engine_get(int fd, const char *what, const char *type) {
  int e = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  strncpy(addr.sun_path, "/var/run/docker.sock", sizeof addr.sun_path - 1);
  static char got[262144];
  size_t n = 0;
  char ask[512];
  snprintf(ask, sizeof ask, "GET %s HTTP/1.0\r\nHost: docker\r\n\r\n", what);
  if (e < 0 || connect(e, (struct sockaddr *)&addr, sizeof addr) < 0 || write(e, ask, strlen(ask)) < 0) {
    const char *body = "{\"message\":\"cannot reach /var/run/docker.sock\"}";
    if (e >= 0) close(e);
    reply(fd, 502, "application/json", body, strlen(body));
    return;
  }
  for (ssize_t r; n < sizeof got - 1 && (r = read(e, got + n, sizeof got - 1 - n)) > 0;) n += (size_t)r;
  close(e);
  got[n] = 0;
  char *body = strstr(got, "\r\n\r\n");
  if (strncmp(got, "HTTP/1.", 7) != 0 || !body) {
    reply(fd, 502, "text/plain", "bad answer from the engine\n", 27);
    return;
  }
  reply(fd, 200, type, body + 4, strlen(body + 4));
}

static void serve(int fd, const char *name) {
  static char buf[65536];
  size_t got = 0;
  char *end = NULL;
  while (got < sizeof buf - 1) {
    ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
    if (r <= 0) return;
    got += (size_t)r;
    buf[got] = 0;
    if ((end = strstr(buf, "\r\n\r\n")) != NULL) break;
  }
  if (!end) return;
  size_t body_at = (size_t)(end - buf) + 4;
  size_t want = 0;
  char type[128] = "text/plain";
  for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
    if (strncasecmp(line + 2, "Content-Length:", 15) == 0) want = (size_t)strtoul(line + 17, NULL, 10);
    if (strncasecmp(line + 2, "Content-Type:", 13) == 0) sscanf(line + 15, " %127[^\r]", type);
  }
  while (got - body_at < want && got < sizeof buf - 1) {
    ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  char method[16] = "", path[256] = "";
  sscanf(buf, "%15s %255s", method, path);
  if (strcmp(path, "/hello") == 0 && strcmp(method, "GET") == 0) {
    char body[512];
    int n = snprintf(body, sizeof body, "{\"hello\":\"%s\"}", name);
    reply(fd, 200, "application/json", body, (size_t)n);
  } else if (strcmp(path, "/echo") == 0 && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)) {
    reply(fd, 200, type, buf + body_at, got - body_at);
  } else if (strcmp(path, "/engine") == 0 && strcmp(method, "GET") == 0) {
    engine_get(fd, "/_ping", "text/plain");
  } else if (strcmp(path, "/engine/containers") == 0 && strcmp(method, "GET") == 0) {
    engine_get(fd, "/containers/json?all=1", "application/json");
  } else if (strcmp(path, "/fail") == 0) {
    const char *body = "{\"message\":\"failed on purpose\"}";
    reply(fd, 500, "application/json", body, strlen(body));
  } else {
    reply(fd, 404, "text/plain", "not found\n", 10);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: ext-backend SOCKET NAME\n"); return 2; }
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
  /* The host process that dials it may not be root. */
  chmod(argv[1], 0666);
  if (listen(s, 16) < 0) { perror("listen"); return 1; }
  fprintf(stderr, "ext-backend %s listening on %s\n", argv[2], argv[1]);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    serve(c, argv[2]);
    close(c);
  }
}
