// libvirt's default event loop, run on a thread of its own. The embedded QEMU driver needs it (QEMU
// monitor replies, lifecycle events such as the guest powering off, autodestroy) and so do console
// streams and keepalives of remote connections. One loop per process, shared by every Connection.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

namespace benchrun::vm {

class EventLoop {
 public:
  // The process's loop: started on first use, stopped when the last holder lets go.
  static std::shared_ptr<EventLoop> acquire();

  ~EventLoop();  // wakes the loop thread and joins it
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

 private:
  struct Private {};

 public:
  explicit EventLoop(Private);

 private:
  void run() noexcept;

  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace benchrun::vm
