#include "vm/console_stream.hpp"

#include <array>
#include <string_view>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::vm {

std::pair<ConsoleStream, sys::UniqueFd> ConsoleStream::open(virConnectPtr connect, virDomainPtr domain) {
  auto pump = std::make_unique<Pump>();
  pump->stream.reset(virStreamNew(connect, VIR_STREAM_NONBLOCK));
  if (!pump->stream) throw libvirt_error("virStreamNew");
  if (virDomainOpenConsole(domain, nullptr, pump->stream.get(), VIR_DOMAIN_CONSOLE_FORCE) < 0) {
    throw libvirt_error("virDomainOpenConsole");
  }
  sys::Pipe pipe = sys::make_pipe();
  pump->write_end = std::move(pipe.write_end);
  if (virStreamEventAddCallback(pump->stream.get(),
                                VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR,
                                on_readable, pump.get(), nullptr) < 0) {
    throw libvirt_error("virStreamEventAddCallback");
  }
  pump->callback_registered = true;
  return {ConsoleStream(std::move(pump)), std::move(pipe.read_end)};
}

ConsoleStream::~ConsoleStream() {
  if (pump_ && pump_->callback_registered) virStreamEventRemoveCallback(pump_->stream.get());
}

void ConsoleStream::on_readable(virStreamPtr stream, int /*events*/, void* opaque) noexcept {
  auto* pump = static_cast<Pump*>(opaque);
  if (!pump->write_end) return;
  std::array<char, 4096> buffer{};
  for (;;) {
    const int got = virStreamRecv(stream, buffer.data(), buffer.size());
    if (got == -2) return;  // drained
    if (got <= 0) {
      // EOF or error: the reader sees EOF; nothing more will come.
      virStreamEventUpdateCallback(stream, 0);
      pump->write_end.reset();
      return;
    }
    try {
      sys::write_all(pump->write_end.get(), std::string_view(buffer.data(), static_cast<std::size_t>(got)),
                     "console pipe");
    } catch (const sys::Error&) {  // the reader went away: nothing to deliver to
      pump->write_end.reset();
      return;
    }
  }
}

}  // namespace benchrun::vm
