// The OCI config's side of the network suite: a prepared namespace is joined by path.
#include <gtest/gtest.h>

#include "runtime/oci/oci_config.hpp"

namespace benchrun::runtime::oci {
namespace {

using nlohmann::json;

json network_entry(const ContainerConfig& config) {
  const json written = make_config(config, BundleLayout{"/bundle/layer/root"});
  for (const auto& entry : written["linux"]["namespaces"]) {
    if (entry["type"] == "network") return entry;
  }
  return nullptr;
}

ContainerConfig config_with(std::string path) {
  ContainerConfig config;
  config.name = "benchrun-test-1";
  config.argv = {"/sbin/benchinit"};
  config.network_namespace_path = std::move(path);
  return config;
}

TEST(OciNetwork, APreparedNamespaceIsJoinedByItsPath) {
  EXPECT_EQ(network_entry(config_with("/proc/42/fd/7")), (json{{"type", "network"}, {"path", "/proc/42/fd/7"}}));
}

TEST(OciNetwork, WithoutOneTheRuntimeMakesANewNamespace) {
  EXPECT_EQ(network_entry(config_with("")), (json{{"type", "network"}}));
}

}  // namespace
}  // namespace benchrun::runtime::oci
