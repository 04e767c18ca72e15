// netpeer: the far end of the network workloads, run by benchrun in a network namespace of its own (never
// inside an instance). Listens on ADDRESS:PORT (a 192.0.2.0/24 address, see net_common.hpp), says
// "netpeer listening" on stdout, then serves up to CONNECTIONS clients one after another (echo for 'R',
// count for 'S') and exits 0. Bounded: it exits 1 once SECONDS passed (alarm), and a client silent for 10 s
// is dropped.
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include "bench/workloads/net_common.hpp"

namespace net = benchrun::workload::net;

namespace {

constexpr int client_silence_seconds = 10;

void serve_request_response(int client) {
  char byte = 0;
  while (net::read_all(client, &byte, 1)) {
    if (!net::write_all(client, &byte, 1)) return;
  }
}

void serve_stream(int client) {
  static char buffer[1 << 16];
  std::uint64_t received = 0;
  for (;;) {
    const ssize_t got = recv(client, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return;  // timeout or reset: no count, the client reports the failure
    if (got == 0) break;
    received += static_cast<std::uint64_t>(got);
  }
  net::write_all(client, &received, sizeof received);
}

}  // namespace

int main(int argc, char** argv) {
  in_addr address{};
  long long port = 0;
  long long connections = 0;
  long long seconds = 0;
  if (argc != 5 || !net::parse_benchrun_address(argv[1], address) || !net::parse_number(argv[2], 1, 65535, port) ||
      !net::parse_number(argv[3], 1, 100000, connections) || !net::parse_number(argv[4], 1, 3600, seconds)) {
    std::fprintf(stderr,
                 "usage: netpeer ADDRESS PORT CONNECTIONS SECONDS (ADDRESS in 192.0.2.0/24, PORT 1-65535, "
                 "CONNECTIONS 1-100000, SECONDS 1-3600)\n");
    return 2;
  }
  alarm(static_cast<unsigned>(seconds));  // the hard bound: SIGALRM's default action ends the process

  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int reuse = 1;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(static_cast<std::uint16_t>(port));
  local.sin_addr = address;
  if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) != 0 ||
      bind(listener, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 || listen(listener, 8) != 0) {
    std::fprintf(stderr, "netpeer: listen on %s:%lld: %s\n", argv[1], port, std::strerror(errno));
    return 1;
  }
  std::printf("netpeer listening\n");
  std::fflush(stdout);

  for (long long served = 0; served < connections; ++served) {
    const int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR) {
        --served;
        continue;
      }
      std::fprintf(stderr, "netpeer: accept: %s\n", std::strerror(errno));
      return 1;
    }
    const int no_delay = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay);
    net::set_socket_timeouts(client, client_silence_seconds);
    char mode = 0;
    if (net::read_all(client, &mode, 1)) {
      if (mode == net::mode_request_response) serve_request_response(client);
      if (mode == net::mode_stream) serve_stream(client);
    }
    close(client);
  }
  return 0;
}
