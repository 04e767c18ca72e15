// One table of names serves both directions, and unknown text or values are told apart from names.
#include "sys/enum_names.hpp"

#include <gtest/gtest.h>

namespace benchrun::sys {
namespace {

enum class Start { cold, warm, both };
constexpr EnumNames<Start, 3> start_names{{{Start::cold, "cold"}, {Start::warm, "warm"}, {Start::both, "both"}}};

TEST(EnumNames, EveryValueParsesBackFromItsName) {
  for (const auto& entry : start_names)
    EXPECT_EQ(value_of(start_names, name_of(start_names, entry.value)), entry.value);
}

TEST(EnumNames, OnlyExactNamesParse) {
  EXPECT_EQ(value_of(start_names, "warm"), Start::warm);
  EXPECT_FALSE(value_of(start_names, "Warm").has_value());
  EXPECT_FALSE(value_of(start_names, "").has_value());
}

TEST(EnumNames, AValueOutsideTheTableIsUnknown) { EXPECT_EQ(name_of(start_names, static_cast<Start>(7)), "unknown"); }

TEST(EnumNames, ListsTheNamesForAMessage) {
  EXPECT_EQ(names_listed(start_names), "cold, warm or both");
  constexpr EnumNames<Start, 1> one{{{Start::cold, "cold"}}};
  EXPECT_EQ(names_listed(one), "cold");
}

}  // namespace
}  // namespace benchrun::sys
