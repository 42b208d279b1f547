// Shape checks, the reference convolution, and the launch plan of a variant.
#include "conv_plan.hpp"

#include <wino/errors.hpp>
#include "recipe_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace wino {

PointSet points_of(const ConvConfig& config, int r) { return points_or_default(config.points, config.m + r - 1); }

std::string canonical_points(const std::string& text, int m, int r) {
    validate_tile(m, r);
    const std::string given = finite_points_text(points_or_default(text, m + r - 1));
    return given == finite_points_text(default_points(m + r - 1)) ? "" : given;
}

void validate_shape(const ConvShape& s, const ConvConfig& c) {
    check_ranges(s);
    if (s.out_h() < 1 || s.out_w() < 1)
        throw InputError(fmt::format("a {}x{} filter with pad {} leaves no output of a {}x{} input", s.R, s.R, s.pad, s.H, s.W));
    const VariantSpec& variant = spec_of(c.variant);
    if (variant.winograd) {
        if (s.R == 1)
            throw InputError("a 1x1 filter is not Winograd: the layer is one GEMM, K x C filters by C x N*H*W pixels "
                             "(a BLAS sgemm, or cuBLAS), or --variant direct here");
        validate_tile(c.m, s.R);
        points_of(c, s.R);
    } else if (!c.points.empty()) {
        throw InputError("the direct kernel has no interpolation points: --points is for nonfused and fused");
    }
    check_precision(c.variant, c.precision);
    if (c.params["cublas"][0] && spec_of(c.precision).half_intermediates)
        throw InputError(fmt::format("--cublas is SGEMM over fp32 U, V and M: not at --precision {}", to_string(c.precision)));
    check_params(c.params, {variant.kinds, &s, c.m});
    const Tiling tiling = tiling_of(s, c.variant, c.m);
    long long largest = 0;
    for (const KernelKind kind : variant.kinds)
        for (const BufferUse& use : spec_of(kind).buffers(c.params))
            largest = std::max(largest, buffer_floats(use.buffer, s, tiling));
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
    ConvPlan plan{s, config, tiling_of(s, config.variant, config.m), {}, {}, {}, {}, {}, {}};
    plan.args = kernel_args(s, plan.tiling);
    std::unique_ptr<RecipeSet> recipes;
    if (spec_of(config.variant).winograd)
        recipes = std::make_unique<RecipeSet>(
            recipes_for(config.m, s.R, points_of(config, s.R), optimizer_options(config.precision)));
    plan.kernels = emit_variant(config.variant, recipes.get(), s.R, config.params, backend, config.precision, config.epilogue);
    for (std::size_t i = 0; i < plan.kernels.size(); ++i) {
        const EmittedKernel& k = plan.kernels[i];
        const KindSpec& kind = spec_of(k.kind);
        for (const BufferUse& use : k.buffers) {
            const auto elements = static_cast<std::size_t>(buffer_floats(use.buffer, s, plan.tiling));
            plan.buffer_floats[use.buffer] = use.half ? (elements + 1) / 2 : elements;
        }
        const Launch launch{i, kind.groups(s, plan.tiling, config.params, k.workgroup_size)};
        (kind.per_weight ? plan.filter_launches : plan.input_launches).push_back(launch);
    }
    return plan;
}

void check_device_limits(const ConvShape& s, const ConvConfig& config, const DeviceLimits& limits) {
    const Tiling tiling = tiling_of(s, config.variant, config.m);
    const PrecisionSpec& precision = spec_of(config.precision);
    if ((precision.half_intermediates || precision.half_io) && !limits.half_storage)
        throw DeviceError(fmt::format("--precision {} needs 16-bit storage buffers and 16-bit texel formats, which this "
                                      "device does not offer (Vulkan: storageBuffer16BitAccess)",
                                      precision.name));
    if (precision.half_arithmetic && !limits.half_arithmetic)
        throw DeviceError(fmt::format("--precision {} needs fp16 arithmetic in shaders, which this device does not offer "
                                      "(Vulkan: shaderFloat16 and shaderRoundingModeRTEFloat16); fp16-storage keeps the arithmetic in fp32",
                                      precision.name));
    for (const KernelKind kind : spec_of(config.variant).kinds) {
        const KindSpec& spec = spec_of(kind);
        for (const BufferUse& use : spec.buffers(config.params)) {
            const auto elements = static_cast<std::size_t>(buffer_floats(use.buffer, s, tiling));
            const std::size_t bytes = elements * (is_half(precision, use.buffer) ? 2 : 4);
            if (use.writes && limits.max_buffer_bytes && bytes > limits.max_buffer_bytes)
                throw DeviceError(fmt::format("buffer '{}' needs {} bytes, past the device's {} per buffer", to_string(use.buffer),
                                              bytes, limits.max_buffer_bytes));
            if (!use.writes && limits.max_texel_elements && elements / use.width > limits.max_texel_elements)
                throw DeviceError(fmt::format("buffer '{}' is read as {} texels of {} elements, past the device's {} per texel buffer",
                                              to_string(use.buffer), elements / use.width, use.width, limits.max_texel_elements));
        }
        const std::array<std::uint32_t, 3> groups = spec.groups(s, tiling, config.params, spec.workgroup_size(config.params));
        for (int axis = 0; axis < 3; ++axis)
            if (groups[axis] > limits.max_groups[axis])
                throw DeviceError(fmt::format("the {} kernel needs {} workgroups along axis {}, the device allows {}", spec.name,
                                              groups[axis], axis, limits.max_groups[axis]));
    }
}

KernelParams suggested_params(const ConvShape& s, int m, Backend backend) {
    KernelParams p = default_params(backend);
    p["vector_rows"][0] = m % 4 == 0 && s.out_w() % 4 == 0;
    const long long tile_quads = (1LL * s.N * ((s.out_h() + m - 1) / m) * ((s.out_w() + m - 1) / m) + 3) / 4;
    if (tile_quads < p["gemm_threads"][1] * p["gemm_registers"][1] / 4) {
        const int threads = p["gemm_threads"][0] * p["gemm_threads"][1];
        p["gemm_threads"] = {8, std::max(1, threads / 8)};  // as many threads as the backend starts with
        p["gemm_registers"][1] = 4;
    }
    return p;
}

}  // namespace wino
