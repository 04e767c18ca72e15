// A domain's console read through libvirt (virDomainOpenConsole), pumped into a pipe so a ConsoleReader
// reads it like the fifo. This is the console of remote connections, where no host file of QEMU's is
// reachable. The pump runs on libvirt's event loop thread.
#pragma once

#include "sys/unique_fd.hpp"
#include "vm/libvirt_handles.hpp"

namespace benchrun::vm {

class ConsoleStream {
 public:
  // Opens the domain's first console. Returns the read end of the pipe the bytes go to (EOF when the
  // console closes).
  static std::pair<ConsoleStream, sys::UniqueFd> open(virConnectPtr connect, virDomainPtr domain);

  ConsoleStream(ConsoleStream&&) noexcept = default;
  ConsoleStream& operator=(ConsoleStream&&) noexcept = default;
  ~ConsoleStream();  // removes the callback before the stream and pipe go

 private:
  struct Pump {
    VirStream stream;
    sys::UniqueFd write_end;
    bool callback_registered = false;
  };
  explicit ConsoleStream(std::unique_ptr<Pump> pump) : pump_(std::move(pump)) {}
  static void on_readable(virStreamPtr stream, int events, void* opaque) noexcept;

  std::unique_ptr<Pump> pump_;  // stable address: libvirt's callback holds it
};

}  // namespace benchrun::vm
