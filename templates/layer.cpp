// Tiling, buffer sizes and the argument block of a layer.
#include "layer.hpp"

#include "checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace wino {

std::size_t ConvShape::input_size() const { return saturating_product({N, C, H, W}); }
std::size_t ConvShape::filter_size() const { return saturating_product({K, C, R, R}); }
std::size_t ConvShape::output_size() const { return saturating_product({N, K, std::max(0, out_h()), std::max(0, out_w())}); }
double ConvShape::flops() const { return 2.0 * N * K * C * R * R * out_h() * out_w(); }

const std::vector<LayerField>& layer_fields() {
    // 2^20 rows or columns, 2^16 images, channels, filters and pad, R to 31:
    // H + 2·pad stays far inside an int, N·tiles_h·tiles_w inside 2^63.
    static const std::vector<LayerField> fields = {
        {"N", &ConvShape::N, 1, 1 << 16},      {"C", &ConvShape::C, 1, 1 << 16}, {"H", &ConvShape::H, 1, 1 << 20},
        {"W", &ConvShape::W, 1, 1 << 20},      {"K", &ConvShape::K, 1, 1 << 16}, {"R", &ConvShape::R, 1, 31},
        {"pad", &ConvShape::pad, 0, 1 << 16}};
    return fields;
}

ConvShape checked_shape(const std::array<long long, 7>& values, const std::string& context) {
    ConvShape s;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const LayerField& f = layer_fields()[i];
        check_range(values[i], f.min, f.max, context + f.name);
        s.*f.member = static_cast<int>(values[i]);
    }
    return s;
}

void check_ranges(const ConvShape& s, const std::string& context) {
    for (const LayerField& f : layer_fields()) check_range(s.*f.member, f.min, f.max, context + f.name);
}

namespace {

long long round_up4(long long n) { return (n + 3) / 4 * 4; }

}  // namespace

Tiling tiling_of(const ConvShape& s, Variant variant, int m) {
    Tiling t;
    if (spec_of(variant).winograd) {
        t.alpha = m + s.R - 1;
        t.tiles_h = (s.out_h() + m - 1) / m;
        t.tiles_w = (s.out_w() + m - 1) / m;
    }
    t.tiles = 1LL * s.N * t.tiles_h * t.tiles_w;
    t.k_padded = round_up4(s.K);
    t.tiles_padded = round_up4(t.tiles);
    return t;
}

long long buffer_floats(BufferId buffer, const ConvShape& s, const Tiling& t) {
    const long long a2 = t.alpha * t.alpha;
    switch (buffer) {
        case BufferId::images: return static_cast<long long>(s.input_size());
        case BufferId::filters: return static_cast<long long>(s.filter_size());
        case BufferId::result: return static_cast<long long>(s.output_size());
        case BufferId::bias: return s.K;
        case BufferId::u: return saturating_product({a2, t.k_padded, s.C});
        case BufferId::v: return saturating_product({a2, s.C, t.tiles_padded});
        case BufferId::product: return saturating_product({a2, s.K, t.tiles_padded});
    }
    throw std::logic_error("unknown buffer");
}

const std::vector<std::string>& kernel_arg_names() {
    static const std::vector<std::string> names = {
#define WINO_ARG_NAME(name) #name,
        WINO_KERNEL_ARGS(WINO_ARG_NAME)
#undef WINO_ARG_NAME
    };
    return names;
}

KernelArgs kernel_args(const ConvShape& s, const Tiling& t) {
    auto narrow = [](long long value, const char* what) {
        if (value > std::numeric_limits<std::int32_t>::max())
            throw InputError(fmt::format("{} = {} is past the kernels' 32-bit integers", what, value));
        return static_cast<std::int32_t>(value);
    };
    return {.N = s.N, .C = s.C, .H = s.H, .W = s.W, .K = s.K, .pad = s.pad, .out_h = s.out_h(), .out_w = s.out_w(),
            .tiles_h = narrow(t.tiles_h, "tiles_h"), .tiles_w = narrow(t.tiles_w, "tiles_w"),
            .P = narrow(t.tiles, "the tile count"), .k_quads = narrow(t.k_padded / 4, "k_quads"),
            .p_quads = narrow(t.tiles_padded / 4, "p_quads")};
}

}  // namespace wino
