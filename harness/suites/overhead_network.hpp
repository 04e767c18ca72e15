// The network part of the overhead suite: TCP request/response latency and stream throughput between an
// instance and a peer process (bench/workloads/netpeer, netclient). For every measured instance a step makes
// two network namespaces of its own (runtime/net/): the peer's, where netpeer runs as benchrun's child, and
// the instance's, joined by a veth pair (192.0.2.1/30 <-> 192.0.2.2/30, TEST-NET-1, routed nowhere). Native's
// client runs in such a namespace too, so every backend crosses the same veth: the baseline is "a process
// behind a veth", not loopback. Everything goes with the step: the veth at once, the namespaces with the last
// process in them (they are held by fd, never named or mounted; a killed run's go with its peer, which dies
// with benchrun, and its instances, which the container sweep removes).
//
// Guests (vm, vm+container): the peer's namespace gets a tap (runtime/net/tap_device.hpp, 192.0.2.1/30) and
// the guest a virtio NIC on it, which benchinit gives 192.0.2.2/30 (benchrun.net=, bench/workloads/
// guest_network.hpp); libvirt opens the tap and starts QEMU from a thread inside the peer's namespace, so the
// tap never exists in the host's. The guest's kernel needs virtio_net, a module of the cloud kernel that only
// image "guest" loads: a guest of an image without it is "not measured" (a note, no sample), never a figure.
// vm+container's inner container shares the guest's network.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/options.hpp"
#include "harness/suite.hpp"
#include "harness/suites/registry.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// The network cases: "network.tcp_rr" (netclient rr: round trips of 1 byte) and "network.tcp_stream"
// (netclient stream: MiB sent), with `limits`; named as the overhead suite's case groups are (h6's
// OverheadCaseGroup: {"network", help, &network_suite_cases, &make_network_step}). Their workload metrics:
// tcp_rr_p50_us, tcp_rr_p99_us, tcp_rr_transactions_per_s, tcp_stream_mb_per_s.
std::vector<reports::Case> network_cases(const reports::Limits& limits);
// Whether `test_case` is one of network_cases() (a suite mixing cases sends these to measure_network).
bool is_network_case(const reports::Case& test_case);

// Measures one instance of a network case on `backend`: namespaces + veth (a guest: the peer's namespace + a
// tap) + netpeer, then the instance (as the startup suite measures one, so its figures and failures read the
// same), then teardown. A failure of the plumbing is a failed sample; only Interrupted escapes, after
// everything was removed. `image` gives netpeer's binary (the image's, so peer and client are the same build).
reports::Sample measure_network(Backend& backend, const reports::Case& test_case, const std::string& instance_name,
                                const ImageChoice& image, std::chrono::milliseconds timeout);

// Why `backend` cannot be measured here (a guest whose image does not load virtio_net), or nullopt.
std::optional<std::string> network_not_measured(const Backend& backend, const ImageChoice& image);

// The suite `network` on its own (registry.cpp): the network cases, one instance per step.
std::vector<reports::Case> network_suite_cases(const CaseFlags& flags);
Step make_network_step(const SuiteOptions& options);

}  // namespace benchrun::harness
