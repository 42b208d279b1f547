// The pass table, and how each pass's kernels take the layer.
#include "templates/passes.hpp"

#include "templates/layer.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace wino {

const TensorSpec& spec_of(LayerTensor tensor) {
    static const TensorSpec table[] = {
        {LayerTensor::x, "x", "input", "N,C,H,W", "N,C,W"},
        {LayerTensor::w, "w", "weights", "K,C,R,S", "K,C,S"},
        {LayerTensor::y, "dy", "grad-output", "N,K,H',W'", "N,K,W'"},
    };
    for (const TensorSpec& spec : table)
        if (spec.tensor == tensor) return spec;
    throw std::logic_error("unknown tensor");
}

std::size_t tensor_size(const ConvShape& layer, LayerTensor tensor) {
    switch (tensor) {
        case LayerTensor::x: return layer.input_size();
        case LayerTensor::w: return layer.filter_size();
        case LayerTensor::y: return layer.output_size();
    }
    throw std::logic_error("unknown tensor");
}

std::vector<long long> tensor_dims(const ConvShape& s, LayerTensor tensor, bool one_dimensional) {
    switch (tensor) {
        case LayerTensor::x: return one_dimensional ? std::vector<long long>{s.N, s.C, s.W} : std::vector<long long>{s.N, s.C, s.H, s.W};
        case LayerTensor::w: return one_dimensional ? std::vector<long long>{s.K, s.C, s.S} : std::vector<long long>{s.K, s.C, s.R, s.S};
        case LayerTensor::y:
            return one_dimensional ? std::vector<long long>{s.N, s.K, s.out_w()} : std::vector<long long>{s.N, s.K, s.out_h(), s.out_w()};
    }
    throw std::logic_error("unknown tensor");
}

const std::vector<PassSpec>& passes() {
    using enum LayerTensor;
    static const std::vector<PassSpec> table = {
        {Pass::forward, "forward", "", "the convolution y = x * w", x, w, y, "y", Derivation::layer, "direct"},
        {Pass::backward_data, "backward-data", "bd",
         "the input's gradient dx from the output's gradient dy and the filters w: the forward kernels on dy, padded "
         "R-1-p, with the filters turned by 180 degrees and K and C swapped",
         y, w, x, "dx", Derivation::flipped, "direct"},
        {Pass::backward_filter, "backward-filter", "bf",
         "the filters' gradient dw from the input x and the output's gradient dy: WinRS's 1D Winograd F(S,w) along W, "
         "dy's rows cut into chunks of w columns (--m 1,w or w, 2 to 9), every image, row and chunk summed in the product",
         x, y, w, "dw", Derivation::chunked, "direct_filter_gradient"},
    };
    return table;
}

const PassSpec& spec_of(Pass pass) {
    for (const PassSpec& spec : passes())
        if (spec.pass == pass) return spec;
    throw std::logic_error("unknown pass");
}

const char* to_string(Pass pass) { return spec_of(pass).name; }

std::string pass_names() {
    std::vector<std::string> names;
    for (const PassSpec& spec : passes()) names.push_back(spec.name);
    const std::string last = names.back();
    names.pop_back();
    return fmt::format("{} or {}", fmt::join(names, ", "), last);
}

Pass parse_pass(const std::string& name, std::string_view what) {
    for (const PassSpec& spec : passes())
        if (name == spec.name) return spec.pass;
    throw InputError(fmt::format("{} must be {}, not '{}'", what, pass_names(), name));
}

void check_epilogue(Pass pass, const Epilogue& epilogue) {
    if (pass != Pass::forward && epilogue != Epilogue{})
        throw InputError(fmt::format("the {} pass has no epilogue: a bias or an activation belongs to the forward pass",
                                     to_string(pass)));
}

long long chunk_count(const ConvShape& layer, int w) { return (layer.out_w() + w - 1) / w; }

int planned_chunk(const ConvShape& layer) {
    int best = min_chunk;
    for (int w = min_chunk; w <= std::max(min_chunk, std::min(max_chunk, planned_max_alpha + 1 - layer.S)); ++w)
        if ((layer.S + w - 1) * chunk_count(layer, w) < (layer.S + best - 1) * chunk_count(layer, best)) best = w;
    return best;
}

ConvShape pass_shape(const ConvShape& layer, Pass pass, TileSize m) {
    const Padding& p = layer.pad;
    switch (spec_of(pass).derivation) {
        case Derivation::layer: return layer;
        case Derivation::flipped:
            return {layer.N, layer.K, layer.out_h(), layer.out_w(), layer.C, layer.R, layer.S,
                    Padding{layer.R - 1 - p.top, layer.R - 1 - p.bottom, layer.S - 1 - p.left, layer.S - 1 - p.right}};
        case Derivation::chunked: {
            const int w = std::max(1, m.w);
            const long long channels = 1LL * layer.N * layer.out_h() * chunk_count(layer, w), rows = 1LL * layer.C * layer.R;
            if (channels > std::numeric_limits<int>::max() || rows > std::numeric_limits<int>::max())
                throw InputError(fmt::format("backward-filter of {} sums {} images, rows and chunks of {} columns, past 2^31 - 1",
                                             layer_text(layer), channels, w));
            return {1, static_cast<int>(channels), static_cast<int>(rows), layer.S + w - 1, layer.K, 1, w, Padding(0)};
        }
    }
    throw std::logic_error("unknown derivation");
}

TileSize pass_tile(const ConvShape& layer, Pass pass, TileSize m) {
    return spec_of(pass).derivation == Derivation::chunked ? TileSize(1, layer.S) : m;
}

std::vector<float> pass_images(const ConvShape& layer, Pass pass, TileSize m, const std::vector<float>& images) {
    if (spec_of(pass).derivation != Derivation::chunked) return images;
    const ConvShape s = pass_shape(layer, pass, m);
    const long long chunks = chunk_count(layer, m.w), R = layer.R;
    std::vector<float> gathered(s.input_size());
    for (long long cd = 0; cd < s.C; ++cd) {
        const long long n = cd / chunks / layer.out_h(), y = cd / chunks % layer.out_h(), left = cd % chunks * m.w - layer.pad.left;
        for (long long row = 0; row < s.H; ++row) {
            const long long c = row / R, top = y + row % R - layer.pad.top;
            for (long long q = 0; q < s.W; ++q) {
                const long long col = left + q;
                const bool inside = top >= 0 && top < layer.H && col >= 0 && col < layer.W;
                gathered[(cd * s.H + row) * s.W + q] = inside ? images[((n * layer.C + c) * layer.H + top) * layer.W + col] : 0.0f;
            }
        }
    }
    return gathered;
}

std::vector<float> pass_filters(const ConvShape& layer, Pass pass, TileSize m, const std::vector<float>& filters) {
    switch (spec_of(pass).derivation) {
        case Derivation::layer: return filters;
        case Derivation::flipped: {
            const std::size_t size = static_cast<std::size_t>(layer.R) * layer.S;
            std::vector<float> flipped(filters.size());
            for (std::size_t k = 0; k < static_cast<std::size_t>(layer.K); ++k)
                for (std::size_t c = 0; c < static_cast<std::size_t>(layer.C); ++c)
                    for (std::size_t e = 0; e < size; ++e)
                        flipped[(c * layer.K + k) * size + e] = filters[(k * layer.C + c) * size + size - 1 - e];
            return flipped;
        }
        case Derivation::chunked: {
            const ConvShape s = pass_shape(layer, pass, m);
            const long long chunks = chunk_count(layer, m.w), H = layer.out_h(), W = layer.out_w();
            std::vector<float> chunked(s.filter_size());
            for (long long k = 0; k < s.K; ++k)
                for (long long cd = 0; cd < s.C; ++cd) {
                    const long long n = cd / chunks / H, y = cd / chunks % H;
                    for (long long e = 0; e < m.w; ++e) {
                        const long long x = cd % chunks * m.w + e;
                        chunked[(k * s.C + cd) * m.w + e] = x < W ? filters[((n * s.K + k) * H + y) * W + x] : 0.0f;
                    }
                }
            return chunked;
        }
    }
    throw std::logic_error("unknown derivation");
}

std::string pass_macros(Pass pass, int r, int s, bool images, bool filters) {
    const int size = r * s;
    std::string filter_macros = "#define FILTER_VALUE(k, c, e) FETCH_REAL(filters, FILTER_AT(k, c, e))\n";
    std::string image_macros =
        "#define IMAGE_H p.H\n#define IMAGE_W p.W\n"
        "#define PATCH_AT(t, c, m_h, m_w) int top = (t) / p.tiles_w % p.tiles_h * (m_h) - p.pad_top; "
        "int left = (t) % p.tiles_w * (m_w) - p.pad_left; int plane = ((t) / (p.tiles_h * p.tiles_w) * p.C + (c)) * p.H;\n";
    std::string shared;
    switch (spec_of(pass).derivation) {
        case Derivation::layer:
            filter_macros = fmt::format("#define FILTER_AT(k, c, e) (((k) * p.C + (c)) * {} + (e))\n", size) + filter_macros;
            break;
        case Derivation::flipped:
            filter_macros = fmt::format("#define FILTER_AT(k, c, e) (((c) * p.K + (k)) * {} + {} - (e))\n", size, size - 1) + filter_macros;
            break;
        case Derivation::chunked:
            // Channel c is (image n, dy's row y, chunk), chunk the fastest;
            // tile t is (the layer's channel, filter row i), i the fastest.
            // s is the chunk width w: the kernels' filter is 1×w.
            shared = fmt::format("#define CHUNKS ((p.layer_out_w + {0}) / {1})\n#define CHUNK_COLUMN(c, e) ((c) % CHUNKS * {1} + (e))\n",
                                 s - 1, s);
            filter_macros =
                "#define FILTER_VALUE(k, c, e) (CHUNK_COLUMN(c, e) < p.layer_out_w ? FETCH_REAL(filters, "
                "(((c) / CHUNKS / p.layer_out_h * p.K + (k)) * p.layer_out_h + (c) / CHUNKS % p.layer_out_h) * p.layer_out_w + "
                "min(CHUNK_COLUMN(c, e), p.layer_out_w - 1)) : REAL(0))\n";
            image_macros =
                "#define IMAGE_H p.layer_H\n#define IMAGE_W p.layer_W\n"
                "#define PATCH_AT(t, c, m_h, m_w) int top = (c) / CHUNKS % p.layer_out_h + (t) % p.layer_R - p.layer_pad_top; "
                "int left = CHUNK_COLUMN(c, 0) - p.layer_pad_left; "
                "int plane = ((c) / CHUNKS / p.layer_out_h * p.layer_C + (t) / p.layer_R) * p.layer_H;\n";
            break;
    }
    return (images || filters ? shared : "") + (filters ? filter_macros : "") + (images ? image_macros : "");
}

}  // namespace wino
