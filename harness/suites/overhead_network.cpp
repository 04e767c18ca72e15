#include "harness/suites/overhead_network.hpp"

#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <csignal>

#include "harness/cli.hpp"
#include "harness/suites/startup.hpp"
#include "runtime/net/net_namespace.hpp"
#include "runtime/net/veth_pair.hpp"
#include "sys/child_process.hpp"
#include "sys/error.hpp"

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

// netpeer, a child of benchrun in the peer namespace: forked (not posix_spawn) so that the child can join the
// namespace and ask to die with benchrun (PR_SET_PDEATHSIG) before exec; a killed run's peer goes at once,
// and its namespace (and veth) with it.
class PeerProcess {
 public:
  PeerProcess(const runtime::net::NetNamespace& ns, const std::filesystem::path& netpeer, int seconds) {
    if (::access(netpeer.c_str(), X_OK) != 0) {
      throw sys::Error(fmt::format("{}: not in the image: rebuild it (scripts/build-image.sh)", netpeer.string()));
    }
    std::vector<std::string> args{netpeer.string(), peer_address, peer_port, "1", std::to_string(seconds)};
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

// Everything one measured instance needs around it, removed in reverse order by the destructors.
struct NetworkPlumbing {
  runtime::net::NetNamespace peer_ns = runtime::net::NetNamespace::create();
  runtime::net::NetNamespace instance_ns = runtime::net::NetNamespace::create();
  runtime::net::VethPair veth = runtime::net::VethPair::create(peer_ns, peer_link, instance_ns, instance_link);

  NetworkPlumbing() {
    peer_ns.configure_link(peer_link, peer_address, prefix_length);
    instance_ns.configure_link(instance_link, instance_address, prefix_length);
  }
};

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

reports::Sample measure_network(Backend& backend, const reports::Case& test_case, const std::string& instance_name,
                                const ImageChoice& image, std::chrono::milliseconds timeout) {
  if (backend.kind() == reports::BackendKind::vm) {
    return failed_sample(backend, reports::FailureKind::error,
                         "network to guests is not measured yet: no tap device in the peer's namespace, no "
                         "virtio_net or address in the guest image (see harness/suites/overhead_network.hpp)");
  }
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(timeout).count();
  std::optional<NetworkPlumbing> plumbing;
  std::optional<PeerProcess> peer;
  try {
    plumbing.emplace();
    // The peer outlives the instance's timeout by a little, and no more: bounded even if nobody stops it.
    const auto peer_seconds = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(timeout).count()) + 5;
    peer.emplace(plumbing->peer_ns, image.rootfs() / "bench/bin/netpeer", peer_seconds);
    peer->wait_until_listening(deadline);
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Timeout& error) {
    return failed_sample(backend, reports::FailureKind::timeout, fmt::format("network setup: {}", error.what()));
  } catch (const sys::Error& error) {
    return failed_sample(backend, reports::FailureKind::error, fmt::format("network setup: {}", error.what()));
  }

  InstanceSpec spec = instance_spec(test_case, instance_name);
  spec.network_namespace = true;
  spec.network_namespace_path = plumbing->instance_ns.path();
  spec.user_namespace = false;  // a namespace of the host's user namespace cannot be joined from another
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
  return [image = options.image](Backend& backend, const StepInput& input) {
    StepResult result;
    result.samples.push_back(
        measure_network(backend, input.test_case, input.next_instance_name(), image, input.timeout));
    return result;
  };
}

}  // namespace benchrun::harness
