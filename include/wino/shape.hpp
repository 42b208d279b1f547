// A convolution layer: NCHW input and output, KCRS filters (R rows, S
// columns), stride 1, zero padding on each side (H' = H + top + bottom − R + 1,
// W' = W + left + right − S + 1). A 1D layer is H = R = 1.
#pragma once

#include <cstddef>

namespace wino {

struct Padding {
    int top = 0, bottom = 0, left = 0, right = 0;
    constexpr Padding() = default;
    constexpr Padding(int all) : top(all), bottom(all), left(all), right(all) {}  // NOLINT: a number is every side
    constexpr Padding(int rows, int columns) : top(rows), bottom(rows), left(columns), right(columns) {}
    constexpr Padding(int top, int bottom, int left, int right) : top(top), bottom(bottom), left(left), right(right) {}
    // ONNX auto_pad = SAME_UPPER at stride 1: the output keeps the input's
    // size, R − 1 rows of padding split with the odd one at the bottom (and
    // S − 1 columns, the odd one at the right).
    static constexpr Padding same(int R, int S) { return {(R - 1) / 2, R / 2, (S - 1) / 2, S / 2}; }
    friend bool operator==(const Padding&, const Padding&) = default;
};

// An extent along the two axes of an image, rows (h) then columns (w): the
// output tile of a Winograd layer, F(h×w, R×S). A number is both.
struct TileSize {
    int h = 4, w = 4;
    constexpr TileSize() = default;
    constexpr TileSize(int both) : h(both), w(both) {}  // NOLINT: a number is a square tile
    constexpr TileSize(int h, int w) : h(h), w(w) {}
    constexpr bool square() const { return h == w; }
    friend bool operator==(const TileSize&, const TileSize&) = default;
};

struct ConvShape {
    int N = 1, C = 1, H = 1, W = 1, K = 1, R = 3, S = 3;
    Padding pad;
    constexpr ConvShape() = default;
    // A square R×R filter.
    constexpr ConvShape(int N, int C, int H, int W, int K, int R, Padding pad)
        : N(N), C(C), H(H), W(W), K(K), R(R), S(R), pad(pad) {}
    constexpr ConvShape(int N, int C, int H, int W, int K, int R, int S, Padding pad)
        : N(N), C(C), H(H), W(W), K(K), R(R), S(S), pad(pad) {}
    int out_h() const { return H + pad.top + pad.bottom - R + 1; }
    int out_w() const { return W + pad.left + pad.right - S + 1; }
    // Element counts; past 2^63 they saturate (compare as too large).
    std::size_t input_size() const;
    std::size_t filter_size() const;
    std::size_t output_size() const;
    double flops() const;  // 2·N·K·C·R·S·H'·W'
    friend bool operator==(const ConvShape&, const ConvShape&) = default;
};

}  // namespace wino
