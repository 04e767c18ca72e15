#include "harness/suites/overhead_network.hpp"

#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <csignal>
#include <memory>
#include <set>

#include "harness/cli.hpp"
#include "harness/suites/startup.hpp"
#include "runtime/net/net_namespace.hpp"
#include "runtime/net/tap_device.hpp"
#include "runtime/net/veth_pair.hpp"
#include "sys/child_process.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

// TEST-NET-1 (RFC 5737): documentation addresses, routed by no network, so nothing the workloads send could
// reach anything real even if it left our namespaces (the workloads refuse any other address).
constexpr char peer_address[] = "192.0.2.1";
constexpr char instance_address[] = "192.0.2.2";
constexpr int prefix_length = 30;
constexpr char peer_port[] = "7300";
// Figures of the cases: enough round trips for a stable median and bytes for a steady stream, small enough
// for a 2-core host (a native round trip over veth is ~20 us here, a stream ~1 GB/s).
constexpr char rr_round_trips[] = "5000";
constexpr char stream_mebibytes[] = "256";

constexpr std::string_view rr_case = "network.tcp_rr";
constexpr std::string_view stream_case = "network.tcp_stream";

// Each instance has namespaces of its own, so a link name only has to be unique within them: short fixed
// names, well under IFNAMSIZ.
constexpr char peer_link[] = "brpeer";
constexpr char instance_link[] = "brinst";
// A guest's NIC is a virtio NIC on this tap, made in the peer's namespace (it never exists in the host's).
constexpr char guest_tap[] = "brtap";

// netpeer, a child of benchrun in the peer namespace: forked (not posix_spawn) so that the child can join the
// namespace and ask to die with benchrun (PR_SET_PDEATHSIG) before exec; a killed run's peer goes at once,
// and its namespace (and veth) with it.
class PeerProcess {
 public:
  PeerProcess(const runtime::net::NetNamespace& ns, const std::filesystem::path& netpeer, const std::string& address,
              const std::string& port, int seconds) {
    if (::access(netpeer.c_str(), X_OK) != 0) {
      throw sys::Error(fmt::format("{}: not in the image: rebuild it (scripts/build-image.sh)", netpeer.string()));
    }
    std::vector<std::string> args{netpeer.string(), address, port, "1", std::to_string(seconds)};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};
    auto output = sys::make_pipe();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) sys::throw_errno("fork netpeer");
    if (pid == 0) {
      // Only async-signal-safe calls from here: benchrun has other threads.
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(126);
      if (::setns(ns.fd(), CLONE_NEWNET) != 0) ::_exit(125);
      ::setpgid(0, 0);
      if (::dup2(output.write_end.get(), STDOUT_FILENO) < 0 || ::dup2(output.write_end.get(), STDERR_FILENO) < 0) {
        ::_exit(124);
      }
      ::execve(argv[0], argv.data(), envp);
      ::_exit(127);
    }
    process_ = sys::ChildProcess::open(pid);
    output.write_end.reset();
    output_ = std::move(output.read_end);
  }

  // Waits for "netpeer listening"; throws Error with what netpeer said (or how it ended) otherwise.
  void wait_until_listening(sys::MonotonicNs deadline) {
    std::string said;
    char buffer[512];
    while (said.find('\n') == std::string::npos) {
      const auto left_ms = (deadline - sys::monotonic_now()) / 1'000'000;
      if (left_ms <= 0) throw sys::Timeout("netpeer: not listening before the deadline");
      pollfd readable{output_.get(), POLLIN, 0};
      const int ready = ::poll(&readable, 1, static_cast<int>(std::min<sys::MonotonicNs>(left_ms, 1000)));
      if (ready < 0 && errno != EINTR) sys::throw_errno("poll netpeer's output");
      if (ready <= 0) continue;
      const ssize_t got = ::read(output_.get(), buffer, sizeof buffer);
      if (got <= 0) break;
      said.append(buffer, static_cast<std::size_t>(got));
    }
    if (!said.starts_with("netpeer listening\n")) {
      throw sys::Error(fmt::format("netpeer did not start: {}", said.empty() ? "no output" : said));
    }
  }

  // Stops it if it still runs (its one connection served, it has exited by itself).
  void stop() {
    if (process_.running()) ::kill(process_.pid(), SIGKILL);
    process_.kill_and_reap();
  }

 private:
  sys::ChildProcess process_;
  sys::UniqueFd output_;
};

// Everything one measured instance needs around it, removed in reverse order by the destructors. A process
// (native, containers) gets a namespace of its own behind a veth; a guest gets a tap in the peer's namespace,
// its virtio NIC's host end, so its packets cross the tap and the peer's stack as a container's cross the veth.
struct NetworkPlumbing {
  runtime::net::NetNamespace peer_ns = runtime::net::NetNamespace::create();
  std::optional<runtime::net::NetNamespace> instance_ns;
  std::optional<runtime::net::VethPair> veth;
  std::optional<runtime::net::TapDevice> tap;

  explicit NetworkPlumbing(bool guest) {
    if (guest) {
      tap.emplace(runtime::net::TapDevice::create(peer_ns, guest_tap));
      peer_ns.configure_link(guest_tap, peer_address, prefix_length);
      return;
    }
    instance_ns.emplace(runtime::net::NetNamespace::create());
    veth.emplace(runtime::net::VethPair::create(peer_ns, peer_link, *instance_ns, instance_link));
    peer_ns.configure_link(peer_link, peer_address, prefix_length);
    instance_ns->configure_link(instance_link, instance_address, prefix_length);
  }
};

// The image a guest of `backend` boots: vm+container's is always "guest" (vm_container.hpp).
ImageChoice guest_image(const Backend& backend, const ImageChoice& image) {
  const auto details = backend.details();
  const auto named = details.find("image");
  return named == details.end() ? image : ImageChoice{image.images_dir, named->second};
}

bool guest_loads_virtio_net(const ImageChoice& image) {
  std::error_code error;
  const auto modules = image.rootfs() / "etc/benchrun/modules";
  if (!std::filesystem::exists(modules, error)) return false;
  return sys::read_file(modules).find("/virtio_net.ko") != std::string::npos;
}

reports::Sample failed_sample(const Backend& backend, reports::FailureKind kind, std::string message) {
  reports::Sample sample;
  sample.backend = backend.name();
  sample.ok = false;
  sample.failure = reports::Failure{kind, std::move(message)};
  return sample;
}

}  // namespace

std::vector<reports::Case> network_cases(const reports::Limits& limits) {
  return {
      reports::Case{std::string(rr_case), "netclient", {"rr", peer_address, peer_port, rr_round_trips}, limits},
      reports::Case{
          std::string(stream_case), "netclient", {"stream", peer_address, peer_port, stream_mebibytes}, limits},
  };
}

bool is_network_case(const reports::Case& test_case) {
  return test_case.workload == "netclient" && (test_case.name == rr_case || test_case.name == stream_case);
}

std::optional<std::string> network_not_measured(const Backend& backend, const ImageChoice& image) {
  if (backend.kind() != reports::BackendKind::vm) return std::nullopt;
  const ImageChoice booted = guest_image(backend, image);
  if (guest_loads_virtio_net(booted)) return std::nullopt;
  return fmt::format(
      "network on {}: not measured: image '{}' does not load virtio_net in its guests (no virtio_net in "
      "/etc/benchrun/modules); build the image 'guest' and run with --image guest",
      backend.name(), booted.name);
}

reports::Sample measure_network(Backend& backend, const reports::Case& test_case, const std::string& instance_name,
                                const ImageChoice& image, std::chrono::milliseconds timeout) {
  const bool guest = backend.kind() == reports::BackendKind::vm;
  if (const auto reason = network_not_measured(backend, image)) {
    return failed_sample(backend, reports::FailureKind::error, *reason);
  }
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(timeout).count();
  std::optional<NetworkPlumbing> plumbing;
  std::optional<PeerProcess> peer;
  try {
    plumbing.emplace(guest);
    // The peer outlives the instance's timeout by a little, and no more: bounded even if nobody stops it.
    const auto peer_seconds = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(timeout).count()) + 5;
    // The peer listens where the case's client connects (netclient MODE ADDRESS PORT N): a case of the user's
    // naming another address fails here, saying netpeer cannot bind it, rather than connecting anywhere.
    const auto& args = test_case.workload_args;
    peer.emplace(plumbing->peer_ns, image.rootfs() / "bench/bin/netpeer", args.size() > 1 ? args[1] : peer_address,
                 args.size() > 2 ? args[2] : peer_port, peer_seconds);
    peer->wait_until_listening(deadline);
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Timeout& error) {
    return failed_sample(backend, reports::FailureKind::timeout, fmt::format("network setup: {}", error.what()));
  } catch (const sys::Error& error) {
    return failed_sample(backend, reports::FailureKind::error, fmt::format("network setup: {}", error.what()));
  }

  InstanceSpec spec = instance_spec(test_case, instance_name);
  spec.user_namespace = false;  // a namespace of the host's user namespace cannot be joined from another
  if (guest) {
    // The guest's NIC on the tap; QEMU is started inside the peer's namespace, where the tap is. vm+container:
    // the inner container shares the guest's network (as a pod's containers share the guest's in Kata).
    spec.network_namespace = false;
    spec.network_namespace_path = plumbing->peer_ns.path();
    spec.guest_tap = guest_tap;
    spec.guest_address = fmt::format("{}/{}", instance_address, prefix_length);
  } else {
    spec.network_namespace = true;
    spec.network_namespace_path = plumbing->instance_ns->path();
  }
  reports::Sample sample = measure_startup(backend, spec, timeout);
  peer->stop();
  return sample;
}

std::vector<reports::Case> network_suite_cases(const CaseFlags& flags) {
  // `--workload 'netclient rr 192.0.2.1 7300 20000'` measures that one command instead (e.g. more round trips);
  // any other workload (the CLI's default, hello) means the suite's own cases.
  const auto& words = flags.workload_words;
  if (words.size() < 2 || words.front() != "netclient") return network_cases(flags.limits);
  if (words[1] != "rr" && words[1] != "stream") {
    throw UsageError(fmt::format("--workload 'netclient {} ...': the mode is rr or stream", words[1]));
  }
  return {reports::Case{words[1] == "rr" ? std::string(rr_case) : std::string(stream_case),
                        "netclient",
                        {words.begin() + 1, words.end()},
                        flags.limits}};
}

Step make_network_step(const SuiteOptions& options) {
  // The reasons already noted: once per run, not once per round.
  auto noted = std::make_shared<std::set<std::string>>();
  return [image = options.image, noted](Backend& backend, const StepInput& input) {
    StepResult result;
    if (const auto reason = network_not_measured(backend, image)) {
      if (noted->insert(*reason).second) result.notes.push_back(*reason);
      return result;
    }
    result.samples.push_back(
        measure_network(backend, input.test_case, input.next_instance_name(), image, input.timeout));
    return result;
  };
}

}  // namespace benchrun::harness
