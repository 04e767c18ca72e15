// Context added to an error reads outermost first and leaves the error of its kind, errno included.
#include <cerrno>
#include <exception>
#include <string>

#include <gtest/gtest.h>

#include "runtime/sys/console_lines.hpp"
#include "runtime/sys/error.hpp"

namespace benchrun {
namespace {

// A kind defined outside runtime/sys, as harness and vm define theirs.
class KindOfElsewhere : public Error {
 public:
  using Error::Error;
};

TEST(ErrorContext, ReadsContextColonMessage) {
  try {
    with_context("read config", [] { throw Error("no such key"); });
    FAIL() << "nothing thrown";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "read config: no such key");
  }
}

TEST(ErrorContext, NestedContextsChainOutermostFirst) {
  try {
    with_context("container c1", [] {
      with_context("cgroup memory", [] { throw Error("write memory.limit_in_bytes: EINVAL"); });
    });
    FAIL() << "nothing thrown";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "container c1: cgroup memory: write memory.limit_in_bytes: EINVAL");
  }
}

TEST(ErrorContext, TimeoutWithContextIsStillATimeout) {
  try {
    with_context("guest g1", [] { throw Timeout("no line within 5 s"); });
    FAIL() << "nothing thrown";
  } catch (const Timeout& timeout) {
    EXPECT_STREQ(timeout.what(), "guest g1: no line within 5 s");
  } catch (const Error& error) {
    FAIL() << "lost its kind: " << error.what();
  }
}

TEST(ErrorContext, InterruptedWithContextIsStillInterrupted) {
  EXPECT_THROW(with_context("guest g1", [] { throw Interrupted("stop requested"); }), Interrupted);
}

TEST(ErrorContext, SystemErrorWithContextKeepsItsCode) {
  try {
    with_context("state dir", [] { throw SystemError(ENOENT, "open /nowhere"); });
    FAIL() << "nothing thrown";
  } catch (const SystemError& error) {
    EXPECT_EQ(error.code(), ENOENT);
    EXPECT_EQ(std::string(error.what()).rfind("state dir: open /nowhere: ENOENT", 0), 0U) << error.what();
  }
}

TEST(ErrorContext, AKindDefinedElsewhereKeepsItsKind) {
  EXPECT_THROW(with_context("outer", [] { throw KindOfElsewhere("inner"); }), KindOfElsewhere);
}

TEST(ErrorContext, AddedInACatchAndRethrownTheErrorKeepsItsKind) {
  try {
    try {
      throw SystemError(EPERM, "mount");
    } catch (Error& error) {
      error.add_context("prepare rootfs");
      throw;
    }
  } catch (const SystemError& error) {
    EXPECT_EQ(error.code(), EPERM);
    EXPECT_EQ(std::string(error.what()).rfind("prepare rootfs: mount: EPERM", 0), 0U) << error.what();
  }
}

TEST(ErrorContext, ACopyKeepsTheMessageWithItsContext) {
  try {
    with_context("outer", [] { throw Timeout("inner"); });
  } catch (const Timeout& timeout) {
    const Timeout copy = timeout;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the test
    EXPECT_STREQ(copy.what(), "outer: inner");
  }
}

TEST(ErrorContext, ReturnsWhatTheBodyReturnsWhenNothingIsThrown) {
  EXPECT_EQ(with_context("unused", [] { return 42; }), 42);
}

}  // namespace
}  // namespace benchrun
