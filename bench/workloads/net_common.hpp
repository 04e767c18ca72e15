// What netpeer and netclient share: the address range they may use, the wire protocol, and bounded socket
// calls. Header-only and libc-only, like every workload.
//
// Wire protocol (TCP): the client's first byte names the test. 'R' (request/response): then 1-byte requests,
// each echoed by one byte, until the client closes. 'S' (stream): then bytes until the client shuts its side
// down; the peer answers with the count it received (8 bytes, host order: both ends run on this host) and
// closes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace benchrun::workload::net {

inline constexpr char mode_request_response = 'R';
inline constexpr char mode_stream = 'S';

// Traffic stays between the namespaces benchrun made: TEST-NET-1 (RFC 5737, 192.0.2.0/24), documentation
// addresses no network routes. Any other address is refused, so the workloads cannot be pointed elsewhere.
inline bool is_benchrun_address(const in_addr& address) { return (ntohl(address.s_addr) >> 8) == 0xC00002u; }

inline bool parse_benchrun_address(const char* text, in_addr& address) {
  return inet_pton(AF_INET, text, &address) == 1 && is_benchrun_address(address);
}

inline bool parse_number(const char* text, long long minimum, long long maximum, long long& value) {
  errno = 0;
  char* end = nullptr;
  value = std::strtoll(text, &end, 10);
  return errno == 0 && end != text && *end == '\0' && value >= minimum && value <= maximum;
}

inline std::uint64_t now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(now.tv_nsec);
}

// Every blocking call on `fd` gives up after `seconds` (EAGAIN), so no loop waits on a silent peer forever.
inline bool set_socket_timeouts(int fd, int seconds) {
  const timeval timeout{seconds, 0};
  return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == 0 &&
         setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) == 0;
}

// Reads or writes all of `size` bytes; false on error, timeout or EOF.
inline bool read_all(int fd, void* data, std::size_t size) {
  auto* at = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t got = recv(fd, at, size, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    at += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

inline bool write_all(int fd, const void* data, std::size_t size) {
  const auto* at = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t sent = send(fd, at, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    at += sent;
    size -= static_cast<std::size_t>(sent);
  }
  return true;
}

}  // namespace benchrun::workload::net
