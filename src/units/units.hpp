// Strong unit types. Each quantity stores its value in SI base units (bytes,
// seconds, FLOP, joules, ...) as a double; the type system keeps a bandwidth
// from being added to a capacity. Cross-unit operators exist only where the
// physics does (bytes / bandwidth = seconds, power × time = energy).
#pragma once

#include <compare>

namespace cw {

template <class Tag>
struct Quantity {
  double value = 0.0;
  constexpr Quantity() = default;
  constexpr explicit Quantity(double v) : value(v) {}
  constexpr Quantity operator+(Quantity o) const { return Quantity(value + o.value); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(value - o.value); }
  constexpr Quantity operator*(double s) const { return Quantity(value * s); }
  constexpr Quantity operator/(double s) const { return Quantity(value / s); }
  constexpr double operator/(Quantity o) const { return value / o.value; }
  constexpr Quantity& operator+=(Quantity o) { value += o.value; return *this; }
  constexpr Quantity& operator-=(Quantity o) { value -= o.value; return *this; }
  constexpr auto operator<=>(const Quantity&) const = default;
};
template <class Tag>
constexpr Quantity<Tag> operator*(double s, Quantity<Tag> q) { return q * s; }

using Bytes = Quantity<struct BytesTag>;
using Seconds = Quantity<struct SecondsTag>;
using Flops = Quantity<struct FlopsTag>;  // a count of floating-point operations
using FlopsPerSecond = Quantity<struct FlopsPerSecondTag>;
using BytesPerSecond = Quantity<struct BytesPerSecondTag>;
using Hertz = Quantity<struct HertzTag>;
using Joules = Quantity<struct JoulesTag>;
using Watts = Quantity<struct WattsTag>;
using Dollars = Quantity<struct DollarsTag>;
using SquareMillimetres = Quantity<struct SquareMillimetresTag>;

constexpr Seconds operator/(Bytes b, BytesPerSecond bw) { return Seconds(b.value / bw.value); }
constexpr Seconds operator/(Flops f, FlopsPerSecond r) { return Seconds(f.value / r.value); }
constexpr Bytes operator*(BytesPerSecond bw, Seconds t) { return Bytes(bw.value * t.value); }
constexpr Flops operator*(FlopsPerSecond r, Seconds t) { return Flops(r.value * t.value); }
constexpr Joules operator*(Watts p, Seconds t) { return Joules(p.value * t.value); }
constexpr Watts operator/(Joules e, Seconds t) { return Watts(e.value / t.value); }
constexpr Seconds cycles(double n, Hertz f) { return Seconds(n / f.value); }

}  // namespace cw
