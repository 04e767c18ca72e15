// The one markup escape of benchrun (domain XML, HTML pages, SVG charts): every special character becomes
// its entity, everything else passes unchanged.
#include "sys/markup_escape.hpp"

#include <gtest/gtest.h>

namespace benchrun::sys {
namespace {

TEST(MarkupEscape, ReplacesEachSpecialCharacterWithItsEntity) {
  EXPECT_EQ(markup_escape("&"), "&amp;");
  EXPECT_EQ(markup_escape("<"), "&lt;");
  EXPECT_EQ(markup_escape(">"), "&gt;");
  EXPECT_EQ(markup_escape("\""), "&quot;");
  EXPECT_EQ(markup_escape("'"), "&#39;");
  EXPECT_EQ(markup_escape("<script>alert('x&y')</script>"), "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;");
}

TEST(MarkupEscape, LeavesOtherTextAlone) {
  EXPECT_EQ(markup_escape(""), "");
  EXPECT_EQ(markup_escape("/var/lib/benchrun/runs/x/vmlinuz"), "/var/lib/benchrun/runs/x/vmlinuz");
  EXPECT_EQ(markup_escape("µs ± 5 %"), "µs ± 5 %");
  EXPECT_EQ(markup_escape(std::string_view("a\0b", 3)), std::string("a\0b", 3));
}

}  // namespace
}  // namespace benchrun::sys
