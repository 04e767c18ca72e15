// Context added to an error reads outermost first and leaves the error of its kind, errno included.
#include <cerrno>
#include <exception>
#include <string>

#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "sys/wait.hpp"

namespace benchrun::sys {
namespace {

// A kind defined outside sys, as harness and vm define theirs.
class KindOfElsewhere : public sys::Error {
 public:
  using sys::Error::Error;
};

// The message of the Error `body` throws.
template <typename Body>
std::string message_of(Body&& body) {
  try {
    body();
  } catch (const sys::Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

TEST(ErrorContext, ReadsContextColonMessage) {
  EXPECT_EQ(message_of([] { sys::with_context("read config", [] { throw sys::Error("no such key"); }); }),
            "read config: no such key");
}

TEST(ErrorContext, NestedContextsChainOutermostFirst) {
  EXPECT_EQ(message_of([] {
              sys::with_context("container c1", [] {
                sys::with_context("cgroup memory", [] { throw sys::Error("write memory.limit_in_bytes: EINVAL"); });
              });
            }),
            "container c1: cgroup memory: write memory.limit_in_bytes: EINVAL");
}

TEST(ErrorContext, TimeoutWithContextIsStillATimeout) {
  try {
    sys::with_context("guest g1", [] { throw sys::Timeout("no line within 5 s"); });
    FAIL() << "nothing thrown";
  } catch (const sys::Timeout& timeout) {
    EXPECT_STREQ(timeout.what(), "guest g1: no line within 5 s");
  } catch (const sys::Error& error) {
    FAIL() << "lost its kind: " << error.what();
  }
}

TEST(ErrorContext, InterruptedWithContextIsStillInterrupted) {
  EXPECT_THROW(sys::with_context("guest g1", [] { throw sys::Interrupted("stop requested"); }), sys::Interrupted);
}

TEST(ErrorContext, SystemErrorWithContextKeepsItsCode) {
  try {
    sys::with_context("state dir", [] { throw sys::SystemError(ENOENT, "open /nowhere"); });
    FAIL() << "nothing thrown";
  } catch (const sys::SystemError& error) {
    EXPECT_EQ(error.code(), ENOENT);
    EXPECT_EQ(std::string(error.what()).rfind("state dir: open /nowhere: ENOENT", 0), 0U) << error.what();
  }
}

TEST(ErrorContext, AKindDefinedElsewhereKeepsItsKind) {
  EXPECT_THROW(sys::with_context("outer", [] { throw KindOfElsewhere("inner"); }), KindOfElsewhere);
}

TEST(ErrorContext, AddedInACatchAndRethrownTheErrorKeepsItsKind) {
  try {
    try {
      throw sys::SystemError(EPERM, "mount");
    } catch (sys::Error& error) {
      error.add_context("prepare rootfs");
      throw;
    }
  } catch (const sys::SystemError& error) {
    EXPECT_EQ(error.code(), EPERM);
    EXPECT_EQ(std::string(error.what()).rfind("prepare rootfs: mount: EPERM", 0), 0U) << error.what();
  }
}

TEST(ErrorContext, ACopyKeepsTheMessageWithItsContext) {
  try {
    sys::with_context("outer", [] { throw sys::Timeout("inner"); });
  } catch (const sys::Timeout& timeout) {
    const sys::Timeout copy = timeout;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the test
    EXPECT_STREQ(copy.what(), "outer: inner");
  }
}

TEST(ErrorContext, ReturnsWhatTheBodyReturnsWhenNothingIsThrown) {
  EXPECT_EQ(sys::with_context("unused", [] { return 42; }), 42);
}

}  // namespace
}  // namespace benchrun::sys
