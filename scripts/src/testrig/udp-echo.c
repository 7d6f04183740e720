/* A UDP echo server for published-port tests (busybox has no UDP server): answers each datagram with "echo:" + it.
 * Built static by buildUdpEcho() (gcc, libc6-dev) and copied into a busybox container. Usage: udp-echo PORT */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 53), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("udp-echo");
    return 1;
  }
  char buf[2048] = "echo:";
  for (;;) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    ssize_t n = recvfrom(s, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&peer, &len);
    if (n >= 0) sendto(s, buf, (size_t)n + 5, 0, (struct sockaddr *)&peer, len);
  }
}
