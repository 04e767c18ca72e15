// Owning handles for libvirt objects (connection, domain, stream) and the one way libvirt failures become
// benchrun errors: "libvirt: <call>: <libvirt's last error message>".
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <memory>
#include <string_view>

#include "sys/error.hpp"

namespace benchrun::vm {

namespace detail {
struct ConnectCloser {
  void operator()(virConnectPtr connect) const noexcept { virConnectClose(connect); }
};
struct DomainFreer {
  void operator()(virDomainPtr domain) const noexcept { virDomainFree(domain); }
};
struct StreamFreer {
  // An unfinished stream is aborted before it is freed so libvirt releases the console at once.
  void operator()(virStreamPtr stream) const noexcept {
    virStreamAbort(stream);
    virStreamFree(stream);
  }
};
}  // namespace detail

// Move-only, freed exactly once; destruction never throws.
using VirConnect = std::unique_ptr<virConnect, detail::ConnectCloser>;
using VirDomain = std::unique_ptr<virDomain, detail::DomainFreer>;
using VirStream = std::unique_ptr<virStream, detail::StreamFreer>;

// "libvirt: virDomainCreateXML: <message of the calling thread's last libvirt error>".
[[nodiscard]] sys::Error libvirt_error(std::string_view call);

// Makes libvirt quiet and ready: virInitialize once per process, a no-op error handler (libvirt would
// otherwise print every error to stderr by itself; we report them with context instead) and, unless the
// user set LIBVIRT_LOG_OUTPUTS, warnings and errors go to `log_file` instead of stderr. Idempotent; only
// the first call's log file counts.
void initialize_libvirt(std::string_view log_file);

}  // namespace benchrun::vm
