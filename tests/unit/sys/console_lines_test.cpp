// Console bytes become lines stamped with their arrival time, free of CR and terminal escapes.
#include <deque>
#include <initializer_list>
#include <string_view>

#include <gtest/gtest.h>

#include "sys/console_lines.hpp"

namespace benchrun::sys {
namespace {

// The lines made of `reads`, each fed as one read.
std::deque<sys::ConsoleLine> split(std::initializer_list<std::string_view> reads) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  MonotonicNs at = 0;
  for (const auto bytes : reads) splitter.feed(bytes, ++at, lines);
  return lines;
}

TEST(ConsoleLineSplitter, StampsEachLineWithTheArrivalOfItsLastByte) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  splitter.feed("BENCHRUN RE", 100, lines);
  EXPECT_TRUE(lines.empty());
  splitter.feed("ADY\r\nhel", 200, lines);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "BENCHRUN READY");
  EXPECT_EQ(lines[0].at, 200);
  splitter.feed("lo\n", 300, lines);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].text, "hello");
  EXPECT_EQ(lines[1].at, 300);
}

TEST(ConsoleLineSplitter, DropsSeaBiosTerminalEscapes) {
  const auto lines =
      split({"\x1b"
             "c\x1b[?7l\x1b[2JBENCHRUN READY\n"});
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "BENCHRUN READY");
}

TEST(ConsoleLineSplitter, EscapeSplitAcrossReadsIsStillDropped) {
  const auto lines = split({"a\x1b[", "2Jb\n"});
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "ab");
}

TEST(ConsoleLineSplitter, FlushGivesTheUnfinishedLastLine) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  splitter.feed("reboot: Power down", 7, lines);
  const auto last = splitter.flush(9);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->text, "reboot: Power down");
  EXPECT_EQ(last->at, 9);
  EXPECT_FALSE(splitter.flush(10).has_value());
}

}  // namespace
}  // namespace benchrun::sys
