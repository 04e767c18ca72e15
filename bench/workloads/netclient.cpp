// netclient: the instance's end of the network workloads. Connects to netpeer at ADDRESS:PORT (a
// 192.0.2.0/24 address: see net_common.hpp; anything else is refused) and runs one bounded test:
//   netclient rr ADDRESS PORT COUNT       COUNT request/response round trips of 1 byte (TCP_RR-like):
//                                         reports tcp_rr_p50_us, tcp_rr_p99_us and tcp_rr_transactions_per_s
//   netclient stream ADDRESS PORT MIB     MIB MiB sent, timed until the peer confirms the count
//                                         (TCP_STREAM-like): reports tcp_stream_mb_per_s (MB = 10^6 bytes)
// through the workload metrics channel. Bounded: every socket call gives up after 10 s, the whole run after
// 120 s (alarm); a failure exits 1 with one line on stderr.
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "bench/workloads/net_common.hpp"
#include "bench/workloads/workload_metrics.hpp"

namespace net = benchrun::workload::net;
using benchrun::workload::Better;
using benchrun::workload::report_metric;

namespace {

constexpr int socket_silence_seconds = 10;
constexpr unsigned run_seconds = 120;
// The peer is listening before the instance starts; a guest's link may take a moment to come up.
constexpr std::uint64_t connect_retry_ns = 5'000'000'000;

int fail(const char* what) {
  std::fprintf(stderr, "netclient: %s: %s\n", what, std::strerror(errno));
  return 1;
}

int connect_to_peer(const in_addr& address, long long port) {
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<std::uint16_t>(port));
  peer.sin_addr = address;
  const std::uint64_t give_up_at = net::now_ns() + connect_retry_ns;
  for (;;) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    net::set_socket_timeouts(fd, socket_silence_seconds);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) == 0) return fd;
    const int error = errno;
    close(fd);
    const bool worth_retrying = error == ECONNREFUSED || error == ENETUNREACH || error == EHOSTUNREACH;
    if (!worth_retrying || net::now_ns() >= give_up_at) {
      errno = error;
      return -1;
    }
    usleep(50'000);
  }
}

int request_response(int fd, long long count) {
  const int no_delay = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay) != 0) return fail("TCP_NODELAY");
  if (!net::write_all(fd, &net::mode_request_response, 1)) return fail("send mode");
  // Sized before the loop: no allocation between two round trips.
  std::vector<std::uint64_t> round_trip_ns(static_cast<std::size_t>(count));
  const std::uint64_t started = net::now_ns();
  for (long long i = 0; i < count; ++i) {
    const std::uint64_t sent_at = net::now_ns();
    char byte = static_cast<char>(i);
    char echo = 0;
    if (!net::write_all(fd, &byte, 1)) return fail("send request");
    if (!net::read_all(fd, &echo, 1)) return fail("receive response");
    if (echo != byte) {
      errno = EPROTO;
      return fail("response differs from request");
    }
    round_trip_ns[static_cast<std::size_t>(i)] = net::now_ns() - sent_at;
  }
  const std::uint64_t elapsed = net::now_ns() - started;
  std::sort(round_trip_ns.begin(), round_trip_ns.end());
  const auto percentile = [&](double p) {
    return static_cast<double>(round_trip_ns[static_cast<std::size_t>(p * static_cast<double>(count - 1))]) / 1e3;
  };
  report_metric("tcp_rr_p50_us", percentile(0.50), "us", Better::lower);
  report_metric("tcp_rr_p99_us", percentile(0.99), "us", Better::lower);
  report_metric("tcp_rr_transactions_per_s", static_cast<double>(count) * 1e9 / static_cast<double>(elapsed), "trans/s",
                Better::higher);
  std::printf("netclient rr: %lld round trips, p50 %.1f us\n", count, percentile(0.50));
  return 0;
}

int stream(int fd, long long mebibytes) {
  static char buffer[1 << 16];
  std::memset(buffer, 'b', sizeof buffer);
  const auto total = static_cast<std::uint64_t>(mebibytes) << 20;
  if (!net::write_all(fd, &net::mode_stream, 1)) return fail("send mode");
  const std::uint64_t started = net::now_ns();
  for (std::uint64_t sent = 0; sent < total; sent += sizeof buffer) {
    if (!net::write_all(fd, buffer, sizeof buffer)) return fail("send");
  }
  if (shutdown(fd, SHUT_WR) != 0) return fail("shutdown");
  std::uint64_t confirmed = 0;
  if (!net::read_all(fd, &confirmed, sizeof confirmed)) return fail("receive the peer's count");
  const std::uint64_t elapsed = net::now_ns() - started;
  if (confirmed != total) {
    std::fprintf(stderr, "netclient: the peer received %llu bytes of %llu\n",
                 static_cast<unsigned long long>(confirmed), static_cast<unsigned long long>(total));
    return 1;
  }
  const double mb_per_s = static_cast<double>(total) * 1e3 / static_cast<double>(elapsed);
  report_metric("tcp_stream_mb_per_s", mb_per_s, "MB/s", Better::higher);
  std::printf("netclient stream: %lld MiB, %.1f MB/s\n", mebibytes, mb_per_s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  in_addr address{};
  long long port = 0;
  long long amount = 0;
  const bool rr = argc == 5 && std::strcmp(argv[1], "rr") == 0;
  const bool streaming = argc == 5 && std::strcmp(argv[1], "stream") == 0;
  if ((!rr && !streaming) || !net::parse_benchrun_address(argv[2], address) ||
      !net::parse_number(argv[3], 1, 65535, port) || !net::parse_number(argv[4], 1, rr ? 1'000'000 : 16'384, amount)) {
    std::fprintf(stderr,
                 "usage: netclient rr ADDRESS PORT COUNT (1-1000000) | netclient stream ADDRESS PORT MIB (1-16384); "
                 "ADDRESS in 192.0.2.0/24\n");
    return 2;
  }
  alarm(run_seconds);  // the hard bound: SIGALRM's default action ends the process
  const int fd = connect_to_peer(address, port);
  if (fd < 0) return fail("connect");
  const int status = rr ? request_response(fd, amount) : stream(fd, amount);
  close(fd);
  return status;
}
