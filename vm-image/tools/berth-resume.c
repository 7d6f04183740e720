/*
 * berth-resume SECONDS [HEX [DEVICE...]]: what berth-init does at the go-ahead after the boot-snapshot point, in one process
 * (under emulation every exec costs): sets the clock to SECONDS (since the epoch, fractional; the host's clock: a
 * VM resumed from a snapshot has the clock of the moment it was saved), adds the host's random bytes HEX to the
 * kernel's pool, credited, and makes the kernel reseed its generator from the pool now (RNDRESEEDCRNG): a VM
 * resumed from a snapshot otherwise keeps drawing from the generator state saved in it, the same at every start.
 * Then drops the kernel's cached blocks of each DEVICE (BLKFLSBUF, as `blockdev --flushbufs`): it read the first
 * blocks of the disks when it probed them, maybe in the start that saved the snapshot (another install's disk).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: berth-resume SECONDS [HEX [DEVICE...]]\n");
    return 2;
  }
  int rc = 0;
  double secs = strtod(argv[1], NULL);
  if (secs > 0) {
    struct timespec ts = {.tv_sec = (time_t)secs, .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};
    if (clock_settime(CLOCK_REALTIME, &ts) != 0) {
      fprintf(stderr, "berth-resume: clock_settime: %s\n", strerror(errno));
      rc = 1;
    }
  }
  for (int i = 3; i < argc; i++) {
    int dev = open(argv[i], O_RDONLY);
    if (dev < 0 || ioctl(dev, BLKFLSBUF, 0) != 0) {
      fprintf(stderr, "berth-resume: dropping the cached blocks of %s: %s\n", argv[i], strerror(errno));
      rc = 1;
    }
    if (dev >= 0) close(dev);
  }
  const char *hex = argc > 2 ? argv[2] : "";
  size_t len = strlen(hex) / 2;
  struct rand_pool_info *info = calloc(1, sizeof(*info) + len + 4);
  if (!info) return 1;
  unsigned char *buf = (unsigned char *)info->buf;
  size_t n = 0;
  for (; n < len; n++) {
    int hi = hexval(hex[2 * n]), lo = hexval(hex[2 * n + 1]);
    if (hi < 0 || lo < 0) break;
    buf[n] = (unsigned char)(hi << 4 | lo);
  }
  info->entropy_count = (int)(n * 8);
  info->buf_size = (int)n;
  if (n == 0) {
    free(info);
    return rc;
  }
  int fd = open("/dev/urandom", O_WRONLY);
  if (fd < 0 || ioctl(fd, RNDADDENTROPY, info) != 0 || ioctl(fd, RNDRESEEDCRNG) != 0) {
    fprintf(stderr, "berth-resume: reseeding the kernel's generator: %s\n", strerror(errno));
    rc = 1;
  }
  if (fd >= 0) close(fd);
  free(info);
  return rc;
}
