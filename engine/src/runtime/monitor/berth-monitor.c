/*
 * berth-monitor: one small process per container (or exec) that outlives berthd.
 *
 * It runs the OCI runtime's `create` (or `exec --detach`) as a child subreaper, so the container's init becomes its
 * child; it holds the container's stdio (pipes, or the pty master received over --console-socket), writes stdout and
 * stderr to a docker `json-file` log with rotation, serves attach clients on a unix stream socket, and writes
 * exit.json atomically when the container exits. berthd can die and come back: everything it needs is on disk or
 * behind the attach socket.
 *
 * Attach protocol (both directions use docker's 8-byte stream header: type, 0, 0, 0, big-endian length):
 *   monitor -> client: type 1 stdout, 2 stderr, 3 exit (payload: 4-byte big-endian exit code), 4 signal sent,
 *                      5 output flushed
 *   client -> monitor: type 0 stdin data, 1 close stdin, 2 resize (payload: rows, cols as big-endian u16),
 *                      3 signal the process (payload: 4-byte big-endian signal number). The process is this
 *                      monitor's child until it is reaped here, so its pid cannot have been reused: no race.
 *                      4 flush: what the process has written so far is read from its pipes and is in the log
 *                      when the answer (5) comes; a log read of a running container asks first.
 * The create result is one JSON line on --sync-fd: {"pid":N} or {"error":"..."}.
 * --start-on-stdin: the runtime argv runs the container in one go (`run --detach`, one runtime process where
 * `create` + `start` were two). The monitor first serves the attach socket and says {"ready":true} on --sync-fd,
 * so clients connect before the command runs and see every byte; it then waits for the line `start` on stdin before
 * running the runtime (and answering {"pid":N} or {"error":…}). EOF instead (berthd gave up or died): it exits.
 * --unmount-on-exit PATH: unmount the container's root filesystem once it exited, before exit.json is written (so
 * berthd, which acts on exit.json, never sees it still mounted and saves an `umount` spawn per container).
 * --mount-overlay DATA: mount that root filesystem first (overlay, DATA its options), which saves berthd a `mount`
 * spawn per start; a failure is the reply {"error":"error mounting the container's root filesystem: …"}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define LINE_MAX_BYTES (16 * 1024) /* docker splits longer lines into partial entries */
#define CLIENT_HIGH_WATER (1 << 20)

struct client {
  int fd;
  char *out;
  size_t out_len, out_cap;
  unsigned char in[8 + 65536];
  size_t in_len;
};

struct stream {
  int fd; /* -1 once closed */
  const char *name;
  char line[LINE_MAX_BYTES];
  size_t line_len;
};

static const char *state_dir, *pid_file, *log_path, *console_path, *unmount_path, *overlay_data;
static long long log_max_size;
static int log_max_files = 1;
static int want_tty, want_stdin, hold_output, start_on_stdin, ever_attached, sync_fd = 3;
static int log_fd = -1;
static long long log_size;
static char logbuf[1 << 16];
static size_t logbuf_len;
static struct client clients[MAX_CLIENTS];
static int stdin_fd = -1, master_fd = -1, stdin_close_pending;
static char *stdin_buf;
static size_t stdin_len, stdin_cap;
static char attach_path[4096];
static pid_t container; /* the container's (or exec's) process, once the runtime reported it */
static struct stream streams[2] = {{-1, "stdout", {0}, 0}, {-1, "stderr", {0}, 0}};
static int exited;      /* ...and reaped */

static void die(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "berth-monitor: %s\n", msg);
  if (attach_path[0]) unlink(attach_path);
  if (sync_fd >= 0) {
    dprintf(sync_fd, "{\"error\":\"");
    for (char *p = msg; *p; p++) {
      if (*p == '"' || *p == '\\') dprintf(sync_fd, "\\%c", *p);
      else if ((unsigned char)*p >= 0x20) dprintf(sync_fd, "%c", *p);
    }
    dprintf(sync_fd, "\"}\n");
  }
  exit(1);
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* ---- json-file log ---------------------------------------------------------------------------------------- */

static void log_flush(void) {
  size_t off = 0;
  while (off < logbuf_len) {
    ssize_t n = write(log_fd, logbuf + off, logbuf_len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* disk full: drop rather than block the container */
    off += (size_t)n;
  }
  logbuf_len = 0;
}

static void log_rotate(void) {
  char from[4200], to[4200];
  log_flush();
  if (log_max_files > 1) {
    for (int i = log_max_files - 1; i >= 1; i--) {
      if (i == 1) snprintf(from, sizeof from, "%s", log_path);
      else snprintf(from, sizeof from, "%s.%d", log_path, i - 1);
      snprintf(to, sizeof to, "%s.%d", log_path, i);
      rename(from, to);
    }
    close(log_fd);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  } else {
    if (ftruncate(log_fd, 0) != 0) { /* nothing better to do */ }
  }
  log_size = 0;
}

static void log_put(const char *s, size_t n) {
  if (logbuf_len + n > sizeof logbuf) log_flush();
  if (n > sizeof logbuf) { (void)!write(log_fd, s, n); log_size += (long long)n; return; }
  memcpy(logbuf + logbuf_len, s, n);
  logbuf_len += n;
  log_size += (long long)n;
}

/* JSON string escaping as Go's encoding/json does it: <, >, & and U+2028/9 escaped, invalid UTF-8 -> U+FFFD. */
static void log_escaped(const unsigned char *s, size_t n) {
  char tmp[8];
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c == '"') log_put("\\\"", 2);
      else if (c == '\\') log_put("\\\\", 2);
      else if (c == '\n') log_put("\\n", 2);
      else if (c == '\r') log_put("\\r", 2);
      else if (c == '\t') log_put("\\t", 2);
      else if (c < 0x20 || c == '<' || c == '>' || c == '&') { snprintf(tmp, sizeof tmp, "\\u%04x", c); log_put(tmp, 6); }
      else log_put((const char *)&c, 1);
      i++;
      continue;
    }
    size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    int ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; k++) ok = (s[i + k] & 0xc0) == 0x80;
    if (ok && len == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
      log_put(s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
    } else if (ok) {
      log_put((const char *)s + i, len);
    } else {
      log_put("\\ufffd", 6);
      len = 1;
    }
    i += len;
  }
}

/* Go's RFC3339Nano: fractional seconds without trailing zeros. */
static void log_time(void) {
  struct timespec ts;
  struct tm tm;
  char buf[64], frac[16];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  log_put(buf, strlen(buf));
  if (ts.tv_nsec) {
    snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
    size_t l = strlen(frac);
    while (frac[l - 1] == '0') l--;
    log_put(frac, l);
  }
  log_put("Z", 1);
}

static void log_entry(const char *stream, const char *s, size_t n) {
  if (log_fd < 0) return;
  if (log_max_size > 0 && log_size >= log_max_size) log_rotate();
  log_put("{\"log\":\"", 8);
  log_escaped((const unsigned char *)s, n);
  log_put("\",\"stream\":\"", 12);
  log_put(stream, strlen(stream));
  log_put("\",\"time\":\"", 10);
  log_time();
  log_put("\"}\n", 3);
}

static void stream_output(struct stream *st, const char *buf, size_t n) {
  for (size_t i = 0; i < n; i++) {
    st->line[st->line_len++] = buf[i];
    if (buf[i] == '\n' || st->line_len == LINE_MAX_BYTES) {
      log_entry(st->name, st->line, st->line_len);
      st->line_len = 0;
    }
  }
}

/* ---- attach clients --------------------------------------------------------------------------------------- */

static void client_close(struct client *c) {
  close(c->fd);
  free(c->out);
  memset(c, 0, sizeof *c);
  c->fd = -1;
}

static void client_queue(struct client *c, int type, const void *data, size_t n) {
  if (c->out_len + 8 + n > c->out_cap) {
    size_t cap = (c->out_len + 8 + n) * 2;
    char *p = realloc(c->out, cap);
    if (!p) { client_close(c); return; }
    c->out = p;
    c->out_cap = cap;
  }
  unsigned char h[8] = {(unsigned char)type, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
  memcpy(c->out + c->out_len, h, 8);
  memcpy(c->out + c->out_len + 8, data, n);
  c->out_len += 8 + n;
}

static void client_flush(struct client *c) {
  while (c->fd >= 0 && c->out_len > 0) {
    ssize_t n = write(c->fd, c->out, c->out_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { client_close(c); return; }
    memmove(c->out, c->out + n, c->out_len - (size_t)n);
    c->out_len -= (size_t)n;
  }
}

static void broadcast(int type, const void *data, size_t n) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0) { client_queue(&clients[i], type, data, n); client_flush(&clients[i]); }
}

static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) { struct pollfd pf = {fd, POLLOUT, 0}; poll(&pf, 1, 1000); continue; }
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

/* Stdin is queued and written as the container reads it: a blocking write here could deadlock against a container
 * that is itself blocked writing output we are not reading (`cat big | docker run -i busybox cat`). */
static void stdin_flush(void) {
  while (stdin_fd >= 0 && stdin_len > 0) {
    ssize_t w = write(stdin_fd, stdin_buf, stdin_len);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return;
    if (w <= 0) { stdin_len = 0; break; } /* the container closed its stdin */
    memmove(stdin_buf, stdin_buf + w, stdin_len - (size_t)w);
    stdin_len -= (size_t)w;
  }
  if (stdin_close_pending && stdin_len == 0 && stdin_fd >= 0) { close(stdin_fd); stdin_fd = -1; }
}

static void stdin_queue(const unsigned char *p, size_t n) {
  if (stdin_len + n > stdin_cap) {
    size_t cap = (stdin_len + n) * 2;
    char *b = realloc(stdin_buf, cap);
    if (!b) return;
    stdin_buf = b;
    stdin_cap = cap;
  }
  memcpy(stdin_buf + stdin_len, p, n);
  stdin_len += n;
  stdin_flush();
}

/* Reads what the process has written so far (at most 1 MiB a stream: a chatty one never keeps us here) into the
 * log and to the clients; EOF and errors are left to the main loop. */
static void drain_streams(void) {
  for (int s = 0; s < 2; s++) {
    for (int k = 0; k < 16 && streams[s].fd >= 0; k++) {
      char buf[65536];
      ssize_t r = read(streams[s].fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      stream_output(&streams[s], buf, (size_t)r);
      broadcast(s + 1, buf, (size_t)r);
    }
  }
  if (log_fd >= 0) log_flush();
}

static void client_frame(struct client *c, int type, const unsigned char *p, size_t n) {
  if (type == 0 && stdin_fd >= 0) stdin_queue(p, n);
  else if (type == 1 && stdin_fd >= 0 && !want_tty) { stdin_close_pending = 1; stdin_flush(); }
  else if (type == 2 && master_fd >= 0 && n >= 4) {
    struct winsize ws = {.ws_row = (unsigned short)(p[0] << 8 | p[1]), .ws_col = (unsigned short)(p[2] << 8 | p[3])};
    ioctl(master_fd, TIOCSWINSZ, &ws);
  } else if (type == 3 && n >= 4 && container > 0 && !exited) {
    if (kill(container, (int)((unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3])) == 0) client_queue(c, 4, NULL, 0);
  } else if (type == 4) {
    if (!(hold_output && !ever_attached)) drain_streams();
    if (c->fd >= 0) client_queue(c, 5, NULL, 0);
  }
}

static void client_read(struct client *c) {
  ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) { client_close(c); return; }
  c->in_len += (size_t)n;
  while (c->in_len >= 8) {
    size_t len = (size_t)c->in[4] << 24 | (size_t)c->in[5] << 16 | (size_t)c->in[6] << 8 | c->in[7];
    if (len > sizeof c->in - 8) { client_close(c); return; }
    if (c->in_len < 8 + len) break;
    client_frame(c, c->in[0], c->in + 8, len);
    memmove(c->in, c->in + 8 + len, c->in_len - 8 - len);
    c->in_len -= 8 + len;
  }
}

/* ---- setup ------------------------------------------------------------------------------------------------ */

static int listen_unix(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) die("socket path too long: %s", path);
  strcpy(addr.sun_path, path);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) die("listen %s: %s", path, strerror(errno));
  chmod(path, 0600);
  return fd;
}

static int receive_fd(int sock) {
  char buf[4096], ctrl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof ctrl};
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

static void write_file_atomic(const char *name, const char *content) {
  char tmp[4200], dst[4200];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", state_dir, name);
  snprintf(dst, sizeof dst, "%s/%s", state_dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  write_all(fd, (const unsigned char *)content, strlen(content));
  fsync(fd);
  close(fd);
  rename(tmp, dst);
}

/* The attach socket, listening (clients wait in its backlog until the main loop accepts them), and monitor.pid. */
static int serve_attach(void) {
  snprintf(attach_path, sizeof attach_path, "%s/attach.sock", state_dir);
  int fd = listen_unix(attach_path);
  set_nonblock(fd);
  char line[128];
  snprintf(line, sizeof line, "%d\n", (int)getpid());
  write_file_atomic("monitor.pid", line);
  return fd;
}

/* The line `start` on stdin; anything else, or EOF, means berthd will not start this container. */
static int wait_for_start(void) {
  char buf[16];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(0, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    len += (size_t)n;
    buf[len] = 0;
    if (strchr(buf, '\n')) break;
    if (len == sizeof buf - 1) return 0;
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
  return strcmp(buf, "start\n") == 0;
}

/* The runtime can exit before the container's init has exec'd the command: runc's init is still "runc:[2:INIT]"
 * then, waiting for the CPU on a busy machine. The pid is answered once the command runs (it has left the runtime's
 * code), so what berthd then tells its client (start answered) is true of the command: a `start` then `logs` of a
 * short command finds it begun. An init that exits instead, or 2 s, end the wait. */
static void wait_for_exec(pid_t pid) {
  char path[64], comm[32];
  snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
  for (int i = 0; i < 2000; i++) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, comm, sizeof comm - 1);
    close(fd);
    if (n <= 0 || strncmp(comm, "runc:[2:INIT]", 13) != 0) return;
    siginfo_t si = {0};
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == pid) return;
    struct timespec ts = {0, 500000};
    nanosleep(&ts, NULL);
  }
}

/* Ends every client after its exit frame. Closing a unix socket while unread input sits in it resets the connection,
 * and a client that sees the reset may drop output it has not handed on yet (Node does, exit frame included): a
 * `docker exec -i` whose close-stdin frame arrived after its process exited lost its whole answer. So each client
 * gets its exit frame and our FIN, and what it still sends is read and discarded until it closes its side too (Node
 * does on our FIN), for at most 2 seconds in all. */
static void clients_finish(const unsigned char exit_payload[4]) {
  for (int k = 0; k < MAX_CLIENTS; k++) {
    struct client *c = &clients[k];
    if (c->fd < 0) continue;
    client_queue(c, 3, exit_payload, 4);
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval tv = {2, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    client_flush(c);
    if (c->fd < 0) continue;
    shutdown(c->fd, SHUT_WR);
    set_nonblock(c->fd);
  }
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    struct pollfd pfds[MAX_CLIENTS];
    int open = 0;
    for (int k = 0; k < MAX_CLIENTS; k++) {
      pfds[k] = (struct pollfd){clients[k].fd, POLLIN, 0};
      open += clients[k].fd >= 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long left = 2000 - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
    if (!open || left <= 0) break;
    if (poll(pfds, MAX_CLIENTS, (int)left) < 0 && errno != EINTR) break;
    for (int k = 0; k < MAX_CLIENTS; k++) {
      if (clients[k].fd < 0 || !pfds[k].revents) continue;
      char sink[4096];
      ssize_t n = read(clients[k].fd, sink, sizeof sink);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) client_close(&clients[k]);
    }
  }
  for (int k = 0; k < MAX_CLIENTS; k++) if (clients[k].fd >= 0) client_close(&clients[k]);
}

static void usage(void) {
  fputs("usage: berth-monitor --state-dir DIR --pid-file FILE [--log FILE --log-max-size N --log-max-files N]\n"
        "       [--tty --console-socket PATH] [--stdin] [--hold-output] [--sync-fd N] [--unmount-on-exit PATH]\n"
        "       [--start-on-stdin] [--mount-overlay DATA (with --unmount-on-exit)]\n"
        "       -- RUNTIME ARGS...\n", stderr);
  exit(2);
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--")) { i++; break; }
    if (!strcmp(a, "--tty")) want_tty = 1;
    else if (!strcmp(a, "--hold-output")) hold_output = 1;
    else if (!strcmp(a, "--start-on-stdin")) start_on_stdin = 1;
    else if (!strcmp(a, "--stdin")) want_stdin = 1;
    else if (!v) usage();
    else if (!strcmp(a, "--state-dir")) state_dir = v, i++;
    else if (!strcmp(a, "--pid-file")) pid_file = v, i++;
    else if (!strcmp(a, "--log")) log_path = v, i++;
    else if (!strcmp(a, "--log-max-size")) log_max_size = atoll(v), i++;
    else if (!strcmp(a, "--log-max-files")) log_max_files = atoi(v), i++;
    else if (!strcmp(a, "--console-socket")) console_path = v, i++;
    else if (!strcmp(a, "--sync-fd")) sync_fd = atoi(v), i++;
    else if (!strcmp(a, "--unmount-on-exit")) unmount_path = v, i++;
    else if (!strcmp(a, "--mount-overlay")) overlay_data = v, i++;
    else usage();
  }
  if (!state_dir || !pid_file || i >= argc || (want_tty && !console_path) || (overlay_data && !unmount_path)) usage();
  char **runtime_argv = argv + i;
  for (int k = 0; k < MAX_CLIENTS; k++) clients[k].fd = -1;

  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

  if (overlay_data && mount("overlay", unmount_path, "overlay", 0, overlay_data) != 0) {
    die("error mounting the container's root filesystem: %s", strerror(errno));
  }

  if (log_path && *log_path) {
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) die("open log %s: %s", log_path, strerror(errno));
    struct stat stt;
    if (fstat(log_fd, &stt) == 0) log_size = stt.st_size;
  }

  int out[2], err[2], in[2] = {-1, -1}, console_listen = -1;
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) die("pipe: %s", strerror(errno));
  if (want_stdin && !want_tty && pipe2(in, O_CLOEXEC)) die("pipe: %s", strerror(errno));
  if (want_tty) console_listen = listen_unix(console_path);

  int attach_listen = -1;
  if (start_on_stdin) {
    attach_listen = serve_attach();
    dprintf(sync_fd, "{\"ready\":true}\n");
    if (!wait_for_start()) {
      unlink(attach_path);
      return 0;
    }
  }

  pid_t runtime = fork();
  if (runtime < 0) die("fork: %s", strerror(errno));
  if (runtime == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(in[0] >= 0 ? in[0] : devnull, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_DFL);
    execvp(runtime_argv[0], runtime_argv);
    dprintf(2, "exec %s: %s\n", runtime_argv[0], strerror(errno));
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  if (in[0] >= 0) close(in[0]);
  stdin_fd = in[1];
  if (stdin_fd >= 0) set_nonblock(stdin_fd);

  int status = 0;
  if (want_tty) {
    /* The runtime connects during create; it may also fail before it ever does. */
    for (;;) {
      struct pollfd pf = {console_listen, POLLIN, 0};
      if (poll(&pf, 1, 100) > 0) {
        int conn = accept4(console_listen, NULL, NULL, SOCK_CLOEXEC);
        if (conn >= 0) { master_fd = receive_fd(conn); close(conn); }
        break;
      }
      if (waitpid(runtime, &status, WNOHANG) == runtime) { runtime = -1; break; }
    }
    close(console_listen);
    unlink(console_path);
  }
  if (runtime > 0) waitpid(runtime, &status, 0);

  char errbuf[8192];
  size_t errlen = 0;
  set_nonblock(out[0]);
  set_nonblock(err[0]);
  int runtime_failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  /* Only a failed runtime's output is an error message: after `exec --detach` the process already runs and what
     is in the pipes is its own output, which belongs to the first attach client. */
  for (int *fd = (int[]){err[0], out[0]}, k = 0; runtime_failed && k < 2; k++) {
    ssize_t n;
    while (errlen < sizeof errbuf - 1 && (n = read(fd[k], errbuf + errlen, sizeof errbuf - 1 - errlen)) > 0) errlen += (size_t)n;
  }
  errbuf[errlen] = 0;
  if (runtime_failed) {
    while (errlen && (errbuf[errlen - 1] == '\n')) errbuf[--errlen] = 0;
    die("%s", errlen ? errbuf : "runtime failed without a message");
  }
  if (want_tty && master_fd < 0) die("the runtime did not send a console");

  char pidbuf[32] = {0};
  int pfd = open(pid_file, O_RDONLY | O_CLOEXEC);
  if (pfd < 0 || read(pfd, pidbuf, sizeof pidbuf - 1) <= 0) die("read pid file %s: %s", pid_file, strerror(errno));
  close(pfd);
  container = (pid_t)atoi(pidbuf);
  if (!hold_output) wait_for_exec(container);

  if (attach_listen < 0) attach_listen = serve_attach();
  dprintf(sync_fd, "{\"pid\":%d}\n", (int)container);
  close(sync_fd);
  sync_fd = -1;

  streams[0].fd = want_tty ? master_fd : out[0];
  streams[1].fd = want_tty ? -1 : err[0];
  if (want_tty) { close(out[0]); close(err[0]); set_nonblock(master_fd); stdin_fd = master_fd; }
  int exit_status = 0;
  struct timespec exited_at = {0};

  for (;;) {
    struct pollfd pfds[5 + MAX_CLIENTS];
    int n = 0, backlog = 0;
    for (int k = 0; k < MAX_CLIENTS; k++) if (clients[k].fd >= 0 && clients[k].out_len > CLIENT_HIGH_WATER) backlog = 1;
    /* Exec sessions have no log: their output waits in the pipe until the first client is there to read it. */
    if (hold_output && !ever_attached) backlog = 1;
    pfds[n++] = (struct pollfd){sfd, POLLIN, 0};
    pfds[n++] = (struct pollfd){attach_listen, POLLIN, 0};
    pfds[n++] = (struct pollfd){backlog ? -1 : streams[0].fd, POLLIN, 0};
    pfds[n++] = (struct pollfd){backlog ? -1 : streams[1].fd, POLLIN, 0};
    short client_in = stdin_len > CLIENT_HIGH_WATER ? 0 : POLLIN; /* stdin backlog: stop reading clients */
    for (int k = 0; k < MAX_CLIENTS; k++)
      pfds[n++] = (struct pollfd){clients[k].fd, (short)(client_in | (clients[k].out_len ? POLLOUT : 0)), 0};
    pfds[n++] = (struct pollfd){stdin_len && stdin_fd >= 0 ? stdin_fd : -1, POLLOUT, 0};
    if (log_fd >= 0) log_flush();
    int open_streams = (streams[0].fd >= 0) + (streams[1].fd >= 0);
    if (exited) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      /* After exit, drain until the pipes close; leftovers held by escaped processes get 2 seconds. */
      if (hold_output && !ever_attached) { if (now.tv_sec - exited_at.tv_sec >= 60) break; }
      else if (!open_streams || now.tv_sec - exited_at.tv_sec >= 2) break;
    }
    if (poll(pfds, (nfds_t)n, exited ? 100 : -1) < 0 && errno != EINTR) break;

    if (pfds[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      int st;
      pid_t p;
      while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == container) { exited = 1; exit_status = st; clock_gettime(CLOCK_MONOTONIC, &exited_at); }
      }
    }
    /* Every waiting client before any output is read: those that connected before the start see all of it. */
    while (pfds[1].revents & POLLIN) {
      int c = accept4(attach_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c < 0) break;
      int slot = -1;
      for (int k = 0; k < MAX_CLIENTS; k++) if (clients[k].fd < 0) { slot = k; break; }
      if (slot >= 0) { clients[slot].fd = c; ever_attached = 1; }
      else close(c);
    }
    for (int s = 0; s < 2; s++) {
      if (!(pfds[2 + s].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t r = read(streams[s].fd, buf, sizeof buf);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) { /* EOF, or EIO from a pty master whose slave side is gone */
        if (streams[s].fd != master_fd) close(streams[s].fd);
        streams[s].fd = -1;
        continue;
      }
      stream_output(&streams[s], buf, (size_t)r);
      broadcast(s + 1, buf, (size_t)r);
    }
    if (pfds[4 + MAX_CLIENTS].revents) stdin_flush();
    for (int k = 0; k < MAX_CLIENTS; k++) {
      short re = pfds[4 + k].revents;
      if (clients[k].fd < 0 || !re) continue;
      if (re & POLLOUT) client_flush(&clients[k]);
      if (clients[k].fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR))) client_read(&clients[k]);
    }
  }

  for (int s = 0; s < 2; s++) if (streams[s].line_len) log_entry(streams[s].name, streams[s].line, streams[s].line_len);
  if (log_fd >= 0) { log_flush(); fsync(log_fd); }
  /* Busy (a process outside still holds a file in it): detach it, as `umount -l` does. Not mounted: nothing to do. */
  if (unmount_path && umount2(unmount_path, 0) != 0 && errno == EBUSY) umount2(unmount_path, MNT_DETACH);
  int code = WIFEXITED(exit_status) ? WEXITSTATUS(exit_status) : 128 + WTERMSIG(exit_status);
  int sig = WIFSIGNALED(exit_status) ? WTERMSIG(exit_status) : 0;
  struct timespec ts;
  struct tm tm;
  char when[64], json[256];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(json, sizeof json, "{\"pid\":%d,\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s.%09ldZ\"}\n", (int)container, code, sig, when, ts.tv_nsec);
  write_file_atomic("exit.json", json);

  unsigned char payload[4] = {(unsigned char)(code >> 24), (unsigned char)(code >> 16), (unsigned char)(code >> 8), (unsigned char)code};
  unlink(attach_path);
  clients_finish(payload);
  return 0;
}
