// Our container's side of the network suite: what it refuses before it starts anything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/container.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime {
namespace {

ContainerConfig joining(std::string path) {
  ContainerConfig config;
  config.name = "benchrun-test-1";
  config.rootfs = "/nonexistent";
  config.argv = {"/sbin/benchinit"};
  config.network_namespace_path = std::move(path);
  return config;
}

std::string refusal(const ContainerConfig& config) {
  try {
    Container::start(config);
  } catch (const sys::Error& error) {
    return error.what();
  }
  return "";
}

TEST(ContainerNetwork, APreparedNamespaceWithAUserNamespaceIsRefusedSayingWhy) {
  auto config = joining("/proc/self/ns/net");
  config.user_namespace = true;
  EXPECT_THAT(refusal(config), ::testing::HasSubstr("no user namespace"));
}

TEST(ContainerNetwork, APreparedNamespaceWithTheNetworkSwitchOffIsRefused) {
  auto config = joining("/proc/self/ns/net");
  config.network_namespace = false;
  EXPECT_THAT(refusal(config), ::testing::HasSubstr("needs network_namespace on"));
}

}  // namespace
}  // namespace benchrun::runtime
