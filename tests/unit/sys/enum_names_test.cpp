// One table of names serves both directions, and unknown text or values are told apart from names.
#include "sys/enum_names.hpp"

#include <gtest/gtest.h>

namespace benchrun::sys {
namespace {

enum class Start { cold, warm, both };
constexpr EnumNames<Start, 3> kStartNames{{{Start::cold, "cold"}, {Start::warm, "warm"}, {Start::both, "both"}}};

TEST(EnumNames, EveryValueParsesBackFromItsName) {
  for (const auto& entry : kStartNames)
    EXPECT_EQ(value_of(kStartNames, name_of(kStartNames, entry.value)), entry.value);
}

TEST(EnumNames, OnlyExactNamesParse) {
  EXPECT_EQ(value_of(kStartNames, "warm"), Start::warm);
  EXPECT_FALSE(value_of(kStartNames, "Warm").has_value());
  EXPECT_FALSE(value_of(kStartNames, "").has_value());
}

TEST(EnumNames, AValueOutsideTheTableIsUnknown) { EXPECT_EQ(name_of(kStartNames, static_cast<Start>(7)), "unknown"); }

TEST(EnumNames, ListsTheNamesForAMessage) {
  EXPECT_EQ(names_listed(kStartNames), "cold, warm or both");
  constexpr EnumNames<Start, 1> one{{{Start::cold, "cold"}}};
  EXPECT_EQ(names_listed(one), "cold");
}

}  // namespace
}  // namespace benchrun::sys
