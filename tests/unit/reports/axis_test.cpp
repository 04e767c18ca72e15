#include "reports/html/axis.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace benchrun::reports::html {
namespace {

TEST(NiceLinearTicks, StepsOfOneTwoOrFiveCoveringTheRange) {
  EXPECT_EQ(nice_linear_ticks(0.0, 7.3), (std::vector<double>{0, 2, 4, 6, 8}));
  EXPECT_EQ(nice_linear_ticks(12.0, 97.0), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_linear_ticks(0.1, 0.32), (std::vector<double>{0.1, 0.15, 0.2, 0.25, 0.3, 0.35}));
}

TEST(LogTicks, DecadesAndWithinFewDecadesTwoAndFiveToo) {
  EXPECT_EQ(log_ticks(1.5, 2000.0), (std::vector<double>{1, 10, 100, 1000, 10000}));
  EXPECT_EQ(log_ticks(3.0, 40.0), (std::vector<double>{2, 5, 10, 20, 50}));
}

TEST(TickLabel, ShortestTextOfTheRoundedValue) {
  EXPECT_EQ(tick_label(0.1 * 3), "0.3");
  EXPECT_EQ(tick_label(2.5), "2.5");
  EXPECT_EQ(tick_label(1000.0), "1000");
  EXPECT_EQ(tick_label(-0.0), "0");
}

TEST(ValueAxis, AutomaticIsLogOnlyWhenPositiveValuesSpanMoreThanThirtyTimes) {
  EXPECT_TRUE(ValueAxis::fit(std::vector<double>{3.0, 2000.0}, AxisScale::automatic).is_log());
  EXPECT_FALSE(ValueAxis::fit(std::vector<double>{3.0, 60.0}, AxisScale::automatic).is_log());
  EXPECT_FALSE(ValueAxis::fit(std::vector<double>{0.0, 2000.0}, AxisScale::automatic).is_log());
  EXPECT_FALSE(ValueAxis::fit(std::vector<double>{-1.0, 5.0}, AxisScale::log).is_log());
  EXPECT_TRUE(ValueAxis::fit(std::vector<double>{3.0, 6.0}, AxisScale::log).is_log());
}

TEST(ValueAxis, FractionRunsFromLowToHighAndIsClamped) {
  const ValueAxis linear = ValueAxis::fit(std::vector<double>{2.0, 7.3}, AxisScale::linear, 0.0);
  EXPECT_EQ(linear.low(), 0.0);
  EXPECT_EQ(linear.high(), 8.0);
  EXPECT_DOUBLE_EQ(linear.fraction(4.0), 0.5);
  EXPECT_DOUBLE_EQ(linear.fraction(100.0), 1.0);
  const ValueAxis log = ValueAxis::fit(std::vector<double>{1.5, 2000.0}, AxisScale::automatic);
  EXPECT_DOUBLE_EQ(log.fraction(100.0), 0.5);  // 1 .. 10000
  EXPECT_DOUBLE_EQ(log.fraction(0.0), 0.0);
}

TEST(ValueAxis, ASingleValueOrNoneStillGivesAnAxisOfSomeWidth) {
  const ValueAxis single = ValueAxis::fit(std::vector<double>{5.0}, AxisScale::linear);
  EXPECT_LT(single.low(), 5.0);
  EXPECT_GT(single.high(), 5.0);
  const ValueAxis empty = ValueAxis::fit(std::vector<double>{}, AxisScale::automatic);
  EXPECT_EQ(empty.low(), 0.0);
  EXPECT_EQ(empty.high(), 1.0);
}

}  // namespace
}  // namespace benchrun::reports::html
