// Tiling, buffer sizes and the argument block of a layer.
#include "templates/layer.hpp"

#include "generator/checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace wino {

std::size_t ConvShape::input_size() const { return saturating_product({N, C, H, W}); }
std::size_t ConvShape::filter_size() const { return saturating_product({K, C, R, S}); }
std::size_t ConvShape::output_size() const { return saturating_product({N, K, std::max(0, out_h()), std::max(0, out_w())}); }
double ConvShape::flops() const { return 2.0 * N * K * C * R * S * out_h() * out_w(); }

const std::vector<LayerField>& layer_fields() {
    // 2^20 rows or columns, 2^16 images, channels, filters and pad sides, R
    // and S to 31: H + top + bottom stays far inside an int, N·tiles_h·tiles_w
    // inside 2^63.
    static const std::vector<LayerField> fields = {
        {"N", &ConvShape::N, nullptr, 1, max_channels},
        {"C", &ConvShape::C, nullptr, 1, max_channels},
        {"H", &ConvShape::H, nullptr, 1, 1 << 20},
        {"W", &ConvShape::W, nullptr, 1, 1 << 20},
        {"K", &ConvShape::K, nullptr, 1, 1 << 16},
        {"R", &ConvShape::R, nullptr, 1, 31},
        {"S", &ConvShape::S, nullptr, 1, 31},
        {"pad_top", nullptr, &Padding::top, 0, 1 << 16},
        {"pad_bottom", nullptr, &Padding::bottom, 0, 1 << 16},
        {"pad_left", nullptr, &Padding::left, 0, 1 << 16},
        {"pad_right", nullptr, &Padding::right, 0, 1 << 16}};
    return fields;
}

const LayerField& layer_field(std::string_view name) {
    for (const LayerField& f : layer_fields())
        if (name == f.name) return f;
    throw std::logic_error(fmt::format("no layer field '{}'", name));
}

ConvShape checked_shape(const std::array<long long, layer_field_count>& values, const std::string& context) {
    ConvShape s;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const LayerField& f = layer_fields()[i];
        check_range(values[i], f.min, f.max, context + f.name);
        f.set(s, static_cast<int>(values[i]));
    }
    return s;
}

void check_ranges(const ConvShape& s, const std::string& context) {
    for (const LayerField& f : layer_fields()) check_range(f.get(s), f.min, f.max, context + f.name);
}

namespace {

std::vector<std::string> split(const std::string& text, const std::string& separators) {
    std::vector<std::string> items;
    for (std::size_t from = 0; from <= text.size();) {
        const std::size_t end = std::min(text.find_first_of(separators, from), text.size());
        items.push_back(text.substr(from, end - from));
        from = end + 1;
    }
    return items;
}

}  // namespace

std::pair<int, int> parse_filter_shape(const std::string& text, const std::string& what, bool one_number_is_square) {
    const std::vector<std::string> items = split(text, ",x");
    if (items.size() > 2)
        throw InputError(fmt::format("{} is R,S (or S for a 1D layer), not '{}'", what, text.substr(0, 80)));
    const LayerField &R = layer_field("R"), &S = layer_field("S");
    if (items.size() == 1) {
        const int size = static_cast<int>(parse_integer(items[0], S.min, S.max, what));
        return {one_number_is_square ? size : 1, size};
    }
    return {static_cast<int>(parse_integer(items[0], R.min, R.max, what + "'s R")),
            static_cast<int>(parse_integer(items[1], S.min, S.max, what + "'s S"))};
}

Padding parse_padding(const std::string& text, int R, int S, const std::string& what) {
    if (text == "same") return Padding::same(R, S);
    const std::vector<std::string> items = split(text, ",");
    const LayerField& side = layer_field("pad_top");
    std::vector<int> v;
    for (const std::string& item : items) v.push_back(static_cast<int>(parse_integer(item, side.min, side.max, what)));
    switch (v.size()) {
        case 1: return Padding(v[0]);
        case 2: return Padding(v[0], v[1]);
        case 4: return Padding(v[0], v[1], v[2], v[3]);
    }
    throw InputError(fmt::format("{} is P, PH,PW, top,bottom,left,right or same, not '{}'", what, text.substr(0, 80)));
}

std::string padding_text(const Padding& p) {
    if (p == Padding(p.top)) return std::to_string(p.top);
    if (p == Padding(p.top, p.left)) return fmt::format("{},{}", p.top, p.left);
    return fmt::format("{},{},{},{}", p.top, p.bottom, p.left, p.right);
}

std::string filter_text(const ConvShape& s) { return fmt::format("{}x{}", s.R, s.S); }

std::string layer_text(const ConvShape& s) {
    return fmt::format("{}x{}x{}x{} -> {}, {}, pad {}", s.N, s.C, s.H, s.W, s.K, filter_text(s), padding_text(s.pad));
}

nlohmann::ordered_json tile_json(TileSize t) { return t.square() ? nlohmann::ordered_json(t.h) : nlohmann::ordered_json{t.h, t.w}; }

nlohmann::ordered_json layer_json(const ConvShape& s) {
    nlohmann::ordered_json out;
    for (const LayerField& f : layer_fields()) out[f.name] = f.get(s);
    return out;
}

namespace {

long long round_up4(long long n) { return (n + 3) / 4 * 4; }

}  // namespace

Tiling tiling_of(const ConvShape& s, Variant variant, TileSize m, OperandPacking packing) {
    Tiling t;
    t.packing = packing;
    t.channel_words = (s.C + packing.channel_lanes - 1) / packing.channel_lanes;
    if (spec_of(variant).winograd) {
        t.alpha_h = m.h + s.R - 1;
        t.alpha_w = m.w + s.S - 1;
        t.tiles_h = (s.out_h() + m.h - 1) / m.h;
        t.tiles_w = (s.out_w() + m.w - 1) / m.w;
    }
    t.tiles = 1LL * s.N * t.tiles_h * t.tiles_w;
    t.k_padded = round_up4(s.K);
    t.tiles_padded = round_up4(t.tiles);
    return t;
}

long long buffer_floats(BufferId buffer, const ConvShape& s, const Tiling& t) {
    const long long a2 = t.positions();
    switch (buffer) {
        case BufferId::images: return static_cast<long long>(s.input_size());
        case BufferId::filters: return static_cast<long long>(s.filter_size());
        case BufferId::result: return static_cast<long long>(s.output_size());
        case BufferId::bias: return s.K;
        case BufferId::u: return saturating_product({t.operand_planes(), t.k_padded, t.channel_words});
        case BufferId::v: return saturating_product({t.operand_planes(), t.channel_words, t.tiles_padded});
        case BufferId::product: return saturating_product({t.product_planes(), s.K, t.tiles_padded});
        case BufferId::scales: return int8_scale_index(TensorField::count, a2, s.K);
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

KernelArgs kernel_args(const ConvShape& layer, const ConvShape& s, const Tiling& t) {
    auto narrow = [](long long value, const char* what) {
        if (value > std::numeric_limits<std::int32_t>::max())
            throw InputError(fmt::format("{} = {} is past the kernels' 32-bit integers", what, value));
        return static_cast<std::int32_t>(value);
    };
    return {.N = s.N, .C = s.C, .H = s.H, .W = s.W, .K = s.K, .pad_top = s.pad.top, .pad_left = s.pad.left, .out_h = s.out_h(), .out_w = s.out_w(),
            .tiles_h = narrow(t.tiles_h, "tiles_h"), .tiles_w = narrow(t.tiles_w, "tiles_w"),
            .P = narrow(t.tiles, "the tile count"), .k_quads = narrow(t.k_padded / 4, "k_quads"),
            .p_quads = narrow(t.tiles_padded / 4, "p_quads"), .layer_N = layer.N, .layer_C = layer.C, .layer_H = layer.H,
            .layer_W = layer.W, .layer_R = layer.R, .layer_out_h = layer.out_h(), .layer_out_w = layer.out_w(),
            .layer_pad_top = layer.pad.top, .layer_pad_left = layer.pad.left, .c_words = narrow(t.channel_words, "c_words")};
}

long long int8_scale_index(ScaleRegion region, long long positions, long long K, long long tap, long long k) {
    switch (region) {
        case ScaleRegion::v_inverse: return tap;
        case ScaleRegion::u_inverse: return positions + tap * K + k;
        case ScaleRegion::dequantize: return positions + positions * K + tap * K + k;
        case ScaleRegion::tensors: return positions + 2 * positions * K + tap;
    }
    throw std::logic_error("unknown scale region");
}

long long int8_scale_index(TensorField field, long long positions, long long K) {
    return int8_scale_index(ScaleRegion::tensors, positions, K, static_cast<long long>(field));
}

}  // namespace wino
