// Shape checks, the reference convolution, and the launch plan of a variant.
#include "conv_plan.hpp"

#include "errors.hpp"
#include "recipe_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace wino {

std::size_t ConvShape::input_size() const { return std::size_t(N) * C * H * W; }
std::size_t ConvShape::filter_size() const { return std::size_t(K) * C * R * R; }
std::size_t ConvShape::output_size() const { return std::size_t(N) * K * out_h() * out_w(); }
double ConvShape::flops() const { return 2.0 * N * K * C * R * R * out_h() * out_w(); }

namespace {

std::uint32_t ceil_div(long long a, long long b) { return static_cast<std::uint32_t>((a + b - 1) / b); }

// U and V are read 4 values at a time: their k and tile widths are padded.
long long round_up4(long long n) { return (n + 3) / 4 * 4; }

// The tiling of a layer and the float count of every buffer a kernel may name
// (the Winograd ones are empty for the direct variant). m must be valid.
struct Layout {
    long long alpha = 0, tiles_h = 0, tiles_w = 0, tiles = 0, k_padded = 0, tiles_padded = 0;
    std::map<std::string, long long> floats;
};

Layout layout_of(const ConvShape& s, const ConvConfig& c) {
    Layout l;
    if (c.variant != Variant::direct) {
        l.alpha = c.m + s.R - 1;
        l.tiles_h = (s.out_h() + c.m - 1) / c.m;
        l.tiles_w = (s.out_w() + c.m - 1) / c.m;
    }
    l.tiles = 1LL * s.N * l.tiles_h * l.tiles_w;
    l.k_padded = round_up4(s.K);
    l.tiles_padded = round_up4(l.tiles);
    const long long a2 = l.alpha * l.alpha;
    l.floats = {{"images", static_cast<long long>(s.input_size())},
                {"filters", static_cast<long long>(s.filter_size())},
                {"result", static_cast<long long>(s.output_size())},
                {"u", a2 * l.k_padded * s.C},
                {"v", a2 * s.C * l.tiles_padded},
                {"product", a2 * s.K * l.tiles_padded}};
    return l;
}

}  // namespace

bool vector_rows_fit(const ConvShape& s, int m) { return m % 4 == 0 && s.out_w() % 4 == 0; }

void validate_shape(const ConvShape& s, const ConvConfig& c) {
    validate_params(c.params);
    for (auto [name, value] : {std::pair{"N", s.N}, {"C", s.C}, {"H", s.H}, {"W", s.W}, {"K", s.K}, {"R", s.R}})
        if (value < 1) throw InputError(fmt::format("{} must be at least 1, got {}", name, value));
    if (s.pad < 0) throw InputError(fmt::format("--pad must be at least 0, got {}", s.pad));
    if (s.out_h() < 1 || s.out_w() < 1)
        throw InputError(fmt::format("a {}x{} filter with pad {} leaves no output of a {}x{} input", s.R, s.R, s.pad, s.H, s.W));
    if (c.variant != Variant::direct) validate_tile(c.m, s.R);
    if (c.variant == Variant::nonfused && c.params.vector_rows && !vector_rows_fit(s, c.m))
        throw InputError(fmt::format("vector output rows need m and the output width to be multiples of 4, not m {} and {}",
                                     c.m, s.out_w()));
    long long largest = 0;
    for (const auto& [name, floats] : layout_of(s, c).floats) largest = std::max(largest, floats);
    if (largest > std::numeric_limits<std::int32_t>::max())
        throw InputError(fmt::format("this shape needs buffers of {} elements, past the kernels' 32-bit indices", largest));
}

std::vector<double> reference_conv2d(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& w) {
    std::vector<double> y(s.output_size(), 0.0);
    const int oh = s.out_h(), ow = s.out_w();
    for (int n = 0; n < s.N; ++n)
        for (int k = 0; k < s.K; ++k)
            for (int c = 0; c < s.C; ++c)
                for (int i = 0; i < s.R; ++i)
                    for (int j = 0; j < s.R; ++j) {
                        const double g = w[((std::size_t(k) * s.C + c) * s.R + i) * s.R + j];
                        for (int row = 0; row < oh; ++row) {
                            const int in_row = row - s.pad + i;
                            if (in_row < 0 || in_row >= s.H) continue;
                            for (int col = 0; col < ow; ++col) {
                                const int in_col = col - s.pad + j;
                                if (in_col < 0 || in_col >= s.W) continue;
                                y[((std::size_t(n) * s.K + k) * oh + row) * ow + col] +=
                                    g * x[((std::size_t(n) * s.C + c) * s.H + in_row) * s.W + in_col];
                            }
                        }
                    }
    return y;
}

ConvPlan make_plan(const ConvShape& s, const ConvConfig& config, Backend backend) {
    validate_shape(s, config);
    ConvPlan plan;
    plan.shape = s;
    plan.config = config;
    const Layout layout = layout_of(s, config);
    plan.alpha = static_cast<int>(layout.alpha);
    plan.tiles_h = static_cast<int>(layout.tiles_h);
    plan.tiles_w = static_cast<int>(layout.tiles_w);
    plan.k_padded = static_cast<int>(layout.k_padded);
    plan.tiles_padded = static_cast<int>(layout.tiles_padded);
    std::unique_ptr<RecipeSet> recipes;
    if (config.variant != Variant::direct)
        recipes = std::make_unique<RecipeSet>(recipes_for(config.m, s.R, default_points(plan.alpha), {}));
    plan.kernels = emit_variant(config.variant, recipes.get(), s.R, config.params, backend);
    const long long a2 = layout.alpha * layout.alpha, tiles = layout.tiles;
    const long long k_padded = layout.k_padded, tiles_padded = layout.tiles_padded;
    const KernelParams& p = config.params;
    for (std::size_t i = 0; i < plan.kernels.size(); ++i) {
        const EmittedKernel& k = plan.kernels[i];
        for (const BufferSpec& b : k.buffers) plan.buffer_floats[b.name] = static_cast<std::size_t>(layout.floats.at(b.name));
        Launch launch{i, {1, 1, 1}};
        const int wg = k.workgroup_size;
        switch (k.kind) {
            case KernelKind::filter_transform: launch.groups[0] = ceil_div(k_padded * s.C, wg); break;
            case KernelKind::input_transform: launch.groups[0] = ceil_div(s.C * tiles_padded / p.transform_tiles, wg); break;
            case KernelKind::output_transform: launch.groups[0] = ceil_div(s.K * tiles_padded / p.transform_tiles, wg); break;
            case KernelKind::direct: launch.groups[0] = ceil_div(1LL * s.N * s.K * s.out_h() * s.out_w(), wg); break;
            case KernelKind::gemm:
                launch.groups = {ceil_div(tiles_padded, p.gemm_wg_p * p.gemm_reg_p),
                                 ceil_div(k_padded, p.gemm_wg_k * p.gemm_reg_k), static_cast<std::uint32_t>(a2)};
                break;
            case KernelKind::fused:
                launch.groups = {ceil_div(tiles, p.fused_wg_p), ceil_div(s.K, p.fused_wg_k), 1};
                plan.shared_bytes = std::size_t(p.fused_wg_p) * a2 * sizeof(float);
                break;
        }
        (k.kind == KernelKind::filter_transform ? plan.filter_launches : plan.input_launches).push_back(launch);
    }
    plan.params = {s.N, s.C, s.H, s.W, s.K, s.pad, s.out_h(), s.out_w(), plan.tiles_h, plan.tiles_w,
                   static_cast<std::int32_t>(tiles), static_cast<std::int32_t>(k_padded / 4),
                   static_cast<std::int32_t>(tiles_padded / 4)};
    return plan;
}

}  // namespace wino

namespace wino {

KernelParams suggested_params(const ConvShape& s, int m, Backend backend) {
    KernelParams p = default_params(backend);
    p.vector_rows = vector_rows_fit(s, m);
    const long long tile_quads = (1LL * s.N * ((s.out_h() + m - 1) / m) * ((s.out_w() + m - 1) / m) + 3) / 4;
    if (tile_quads < p.gemm_wg_p * p.gemm_reg_p / 4) {
        p.gemm_wg_k = 8;
        p.gemm_wg_p = backend == Backend::cuda ? 8 : 1;  // CUDA keeps 64 threads
        p.gemm_reg_p = 4;
    }
    return p;
}

double median_of_runs(const std::function<double()>& run_once, int warmup, int repeats) {
    for (int i = 0; i < warmup; ++i) run_once();
    std::vector<double> times;
    for (int i = 0; i < std::max(1, repeats); ++i) times.push_back(run_once());
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

}  // namespace wino
