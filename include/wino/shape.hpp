// A 2D convolution layer: NCHW float32 input and output, KCRR filters,
// stride 1, zero padding `pad` on every side (H' = H + 2·pad − R + 1).
#pragma once

#include <cstddef>

namespace wino {

struct ConvShape {
    int N = 1, C = 1, H = 1, W = 1, K = 1, R = 3, pad = 0;
    int out_h() const { return H + 2 * pad - R + 1; }
    int out_w() const { return W + 2 * pad - R + 1; }
    // Element counts; past 2^63 they saturate (compare as too large).
    std::size_t input_size() const;
    std::size_t filter_size() const;
    std::size_t output_size() const;
    double flops() const;  // 2·N·K·C·R·R·H'·W'
    friend bool operator==(const ConvShape&, const ConvShape&) = default;
};

}  // namespace wino
