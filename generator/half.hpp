// binary16 arithmetic on the host, as fp16 kernels compute: a Half is a
// binary16 number held in a double, and each operation rounds its result once
// to binary16, to nearest even. A sum, difference or product of two binary16
// numbers is exact in a double, so rounding it is the device's one rounding; an
// FMA is rounded to a double first, which differs from one rounding only where
// that double falls exactly on a binary16 tie. An FMA is fused, as CUDA's
// fma.rn.f16 is (lavapipe rounds the product first, which the model does not
// follow: its error comes out 1-13% above the model's). Past 65504 a value is
// ±inf, as on the device.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace wino {

// binary16 rounding, written once for the library: `x` rounded to the nearest
// binary16 (ties to even; ±inf past 65504), as a device stores a value in a
// 16-bit buffer, and binary16 bits to and from values.
inline double to_binary16(double x) { return static_cast<double>(static_cast<_Float16>(x)); }
inline std::uint16_t binary16_bits(double x) {
    const _Float16 h = static_cast<_Float16>(x);
    std::uint16_t bits;
    std::memcpy(&bits, &h, sizeof bits);
    return bits;
}
inline double from_binary16_bits(std::uint16_t bits) {
    _Float16 h;
    std::memcpy(&h, &bits, sizeof h);
    return static_cast<double>(h);
}

class Half {
public:
    Half() = default;
    explicit Half(double value) : x_(rounded(value)) {}
    operator double() const { return x_; }

    friend Half operator+(Half a, Half b) { return Half(a.x_ + b.x_); }
    friend Half operator-(Half a, Half b) { return Half(a.x_ - b.x_); }
    friend Half operator*(Half a, Half b) { return Half(a.x_ * b.x_); }
    friend Half operator-(Half a) { return Half(-a.x_); }
    Half& operator+=(Half b) { return *this = *this + b; }
    friend Half fma(Half a, Half b, Half c) { return Half(std::fma(a.x_, b.x_, c.x_)); }

private:
    static double rounded(double v) { return to_binary16(v); }
    double x_ = 0;
};

}  // namespace wino
