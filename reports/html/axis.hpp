// The value axes of svg_chart: where a value lands on a chart and which ticks label it. Linear axes get
// "nice" ticks (1, 2 or 5 times a power of ten); log axes get decades (and 2 and 5 within them when the
// range spans few decades).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace benchrun::reports::html {

// How a chart maps values. automatic: log when every value is above 0 and the largest is more than
// log_scale_ratio times the smallest, else linear.
enum class AxisScale { linear, log, automatic };

// Why log past a 30x spread: a startup chart holds native (~1 ms), containers (~5 ms) and guests (~2000 ms);
// on a linear axis every non-VM box collapses into the first pixels. On a log axis each backend keeps its
// own spread readable and equal ratios look equally far apart, which is what "ratio to native" means.
inline constexpr double log_scale_ratio = 30.0;

class ValueAxis {
 public:
  // An axis spanning `values` and `include` (e.g. 0 for bars measured from zero, 1 for ratios), widened to
  // tick values. A log axis is impossible with a value <= 0: such values make it linear. Empty values give
  // the axis [0, 1] (or around `include`).
  static ValueAxis fit(std::span<const double> values, AxisScale scale, std::optional<double> include = {});

  [[nodiscard]] bool is_log() const { return log_; }
  [[nodiscard]] double low() const { return low_; }
  [[nodiscard]] double high() const { return high_; }
  [[nodiscard]] const std::vector<double>& ticks() const { return ticks_; }
  // Where `value` lies between low (0) and high (1); clamped into [0, 1] (a log axis puts values <= 0 at 0).
  [[nodiscard]] double fraction(double value) const;

 private:
  // The axis runs from the first tick to the last.
  ValueAxis(bool log, std::vector<double> ticks);

  bool log_;
  double low_;
  double high_;
  std::vector<double> ticks_;
};

// About `target` ticks covering [low, high] (low < high): multiples of a step of 1, 2 or 5 times a power of
// ten, the first at or below low, the last at or above high.
std::vector<double> nice_linear_ticks(double low, double high, std::size_t target = 5);

// Ticks of a log axis covering [low, high] (0 < low < high): powers of ten from the one at or below low to
// the one at or above high; with 2 decades or fewer, 2x and 5x each decade too.
std::vector<double> log_ticks(double low, double high);

// A tick's label: the shortest text of the value rounded to 10 significant digits ("0.3", "2.5", "1000").
std::string tick_label(double value);

}  // namespace benchrun::reports::html
