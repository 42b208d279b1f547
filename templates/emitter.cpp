// Kernel assembly: header comment, backend preamble, filled template.
#include "templates/emitter.hpp"

#include <wino/errors.hpp>

#include "templates/meta_code.hpp"
#include "recipes/recipe_format.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <stdexcept>

namespace wino {
namespace {

// The kind's buffers at the precision (which are 16-bit, which integer), the
// bias where its epilogue adds one, and the scales where it quantizes or
// dequantizes (int8).
std::vector<BufferUse> buffers_of(KernelKind kind, const KernelParams& p, Precision precision,
                                  const Epilogue& epilogue = {}) {
    std::vector<BufferUse> buffers = spec_of(kind).buffers(p);
    if (epilogue.bias && carries_epilogue(kind)) buffers.push_back({BufferId::bias, false});
    if (reads_scales(kind, precision)) buffers.push_back({BufferId::scales, false});
    for (BufferUse& use : buffers) {
        use.half = is_half(spec_of(precision), use.buffer);
        use.integer = is_integer(spec_of(precision), use.buffer);
        use.int8 = is_int8(spec_of(precision), use.buffer);
    }
    return buffers;
}

// The epilogue's part of a kind's name: only the kinds that write the output carry one.
std::string epilogue_part(KernelKind kind, const Epilogue& epilogue) {
    return carries_epilogue(kind) ? epilogue_tag(epilogue) : "";
}

// Whether the kind binds the buffer, to read or to write.
bool binds(KernelKind kind, const KernelParams& p, BufferId buffer) {
    const std::vector<BufferUse> buffers = spec_of(kind).buffers(p);
    return std::any_of(buffers.begin(), buffers.end(), [&](const BufferUse& use) { return use.buffer == buffer; });
}

// Whether the pass changes the kind's code: backward-data reads the filters
// turned, backward-filter gathers both the images and the filters.
bool changed_by_pass(KernelKind kind, const KernelParams& p, Pass pass) {
    switch (spec_of(pass).derivation) {
        case Derivation::layer: return false;
        case Derivation::flipped: return binds(kind, p, BufferId::filters);
        case Derivation::chunked: return binds(kind, p, BufferId::filters) || binds(kind, p, BufferId::images);
    }
    throw std::logic_error("unknown derivation");
}

// How a quantized precision's transforms read the input's pixels
// (IMAGE_PIXEL) and, at int8-io, code the output (STORED_result in the
// preamble): int8-io's pixels are codes, dequantized as they are read, by the
// scales buffer's tensors region (layer.hpp).
std::string tensor_coding_macros(KernelKind kind, const KernelParams& p, const ConvAlgorithm& a, Precision precision) {
    const PrecisionSpec& spec = spec_of(precision);
    if (!reads_scales(kind, precision)) return "";
    const long long positions = 1LL * a.h->algorithm.alpha * a.w->algorithm.alpha;
    auto field = [&](const char* name, TensorField f) {
        const long long base = int8_scale_index(f, positions, 0);
        return fmt::format("#define WINO_{} FETCH(scales, {} + {} * p.K)\n", name, base, int8_scale_index(f, positions, 1) - base);
    };
    std::string out;
    if (binds(kind, p, BufferId::images))
        out += spec.int8_io ? field("INPUT_SCALE", TensorField::input_scale) + field("INPUT_ZERO_POINT", TensorField::input_zero_point) +
                                  "#define IMAGE_PIXEL(i) ((float(FETCH(images, i)) - WINO_INPUT_ZERO_POINT) * WINO_INPUT_SCALE)\n"
                            : "#define IMAGE_PIXEL(i) FETCH_REAL(images, i)\n";
    if (spec.int8_io && binds(kind, p, BufferId::result))
        out += field("OUTPUT_INVERSE_SCALE", TensorField::output_inverse_scale) +
               field("OUTPUT_ZERO_POINT", TensorField::output_zero_point);
    return out;
}

// The kind's template; the direct kernel's is the pass's.
std::string template_of(const KindSpec& kind, Pass pass) {
    return kind.kind == KernelKind::direct ? spec_of(pass).direct_template : kind.name;
}

// "r3" for a square filter, "r1x7" otherwise.
std::string direct_tag(int r, int s) { return r == s ? fmt::format("r{}", r) : fmt::format("r{}x{}", r, s); }

// The points' tag where they are not the default; --points sets both
// transformed axes alike (points_alpha), so either names them.
std::string points_part(const ConvAlgorithm& a) {
    const std::string h = points_tag(a.h->algorithm.points);
    return h.empty() ? points_tag(a.w->algorithm.points) : h;
}

// Whether the precision shapes the kernel's code: it binds a 16-bit buffer, or
// its product rounds its operands.
bool shaped_by_precision(KernelKind kind, const KernelParams& p, Precision precision) {
    const std::vector<BufferUse> buffers = buffers_of(kind, p, precision);
    return std::any_of(buffers.begin(), buffers.end(), [](const BufferUse& use) { return use.half || use.integer || use.int8; }) ||
           (spec_of(kind).multiplies && spec_of(precision).product_operands != ProductOperands::as_read);
}


std::string recipe_counts(const RecipeSet& s) {
    return fmt::format("input {}/{}/{}, filter {}/{}/{}, output {}/{}/{}", s.input.counts().add, s.input.counts().mul,
                       s.input.counts().fma, s.filter.counts().add, s.filter.counts().mul, s.filter.counts().fma,
                       s.output.counts().add, s.output.counts().mul, s.output.counts().fma);
}

std::string header(const KindSpec& kind, const ConvAlgorithm& a, const KernelParams& p, const BackendSpec& backend,
                   Precision precision, const Epilogue& epilogue, Pass pass) {
    std::string out = fmt::format("// wino-gen {} kernel, {}.\n", kind.name, backend.language);
    if (changed_by_pass(kind.kind, p, pass))
        out += fmt::format("// Pass {}: {}.\n", to_string(pass), spec_of(pass).help);
    if (shaped_by_precision(kind.kind, p, precision))
        out += fmt::format("// Precision {}: {}.\n", to_string(precision), spec_of(precision).help);
    if (carries_epilogue(kind.kind))
        if (const std::string text = epilogue_text(epilogue); !text.empty())
            out += fmt::format("// Epilogue: {}, applied to each output value in registers.\n", text);
    if (a.winograd()) {
        const ToomCook1D &h = a.h->algorithm, &w = a.w->algorithm;
        if (a.h == a.w) {
            out += fmt::format("// Winograd F({}x{},{}x{}), alpha {}, points {}.\n", h.m, h.m, h.r, h.r, h.alpha,
                               fmt::join(point_strings(h.points), ", "));
            out += fmt::format("// 1D recipe ops (add/mul/fma): {}.\n", recipe_counts(*a.h));
        } else {
            out += fmt::format("// Winograd F({}x{},{}x{}): F({},{}) along H, alpha {}, points {}; F({},{}) along W, alpha {}, "
                               "points {}.\n", h.m, w.m, h.r, w.r, h.m, h.r, h.alpha, fmt::join(point_strings(h.points), ", "),
                               w.m, w.r, w.alpha, fmt::join(point_strings(w.points), ", "));
            out += fmt::format("// 1D recipe ops (add/mul/fma) along H: {}; along W: {}.\n", recipe_counts(*a.h),
                               recipe_counts(*a.w));
        }
    } else {
        out += fmt::format("// Direct {}x{} convolution.\n", a.r, a.s);
    }
    std::vector<std::string> tuning;
    for (const ParamSpec& spec : param_table())
        if (applies_to(spec, kind.kind)) tuning.push_back(fmt::format("{} {}", spec.name, value_text(spec, p[spec.param])));
    return out + fmt::format("// Tuning: {}.\n", fmt::join(tuning, ", "));
}

// The values of the parameters that shape the kind, for templates to read (CLBlast's way).
std::string defines(KernelKind kind, const KernelParams& p) {
    std::string out;
    for (const ParamSpec& spec : param_table())
        if (applies_to(spec, kind)) out += defines_of(spec, p[spec.param]);
    return out;
}

}  // namespace

std::string kernel_name(KernelKind kind, const ConvAlgorithm& a, const KernelParams& p, Precision precision,
                        const Epilogue& epilogue, Pass pass) {
    std::string name = a.winograd() ? fmt::format("wino_{}_{}", algorithm_tag(a.m(), a.r, a.s), to_string(kind))
                                    : fmt::format("wino_{}_{}", to_string(kind), direct_tag(a.r, a.s));
    if (changed_by_pass(kind, p, pass)) name += fmt::format("_{}", spec_of(pass).tag);
    if (shaped_by_precision(kind, p, precision)) name += fmt::format("_{}", spec_of(precision).tag);
    if (a.winograd() && spec_of(kind).needs_recipes)
        if (const std::string tag = points_part(a); !tag.empty()) name += "_" + tag;
    for (const ParamSpec& spec : param_table())
        if (applies_to(spec, kind))
            if (const std::string part = name_part(spec, p[spec.param]); !part.empty()) name += "_" + part;
    if (const std::string part = epilogue_part(kind, epilogue); !part.empty()) name += "_" + part;
    return name;
}

std::string kernel_set_name(Variant variant, TileSize m, int r, int s, const KernelParams& p, Precision precision,
                            const std::string& points, const Epilogue& epilogue, Pass pass) {
    const VariantSpec& v = spec_of(variant);
    std::string name = v.winograd ? fmt::format("wino_{}_{}", algorithm_tag(m, r, s), v.name)
                                  : fmt::format("wino_{}_{}", v.name, direct_tag(r, s));
    if (*spec_of(pass).tag) name += fmt::format("_{}", spec_of(pass).tag);
    if (std::any_of(v.kinds.begin(), v.kinds.end(), [&](KernelKind k) { return shaped_by_precision(k, p, precision); }))
        name += fmt::format("_{}", spec_of(precision).tag);
    if (!points.empty())
        if (const std::string tag = points_tag(parse_points(points, points_alpha(m, r, s))); !tag.empty()) name += "_" + tag;
    for (const ParamSpec& spec : param_table())
        if (std::any_of(v.kinds.begin(), v.kinds.end(), [&](KernelKind k) { return applies_to(spec, k); }))
            if (const std::string part = name_part(spec, p[spec.param]); !part.empty()) name += "_" + part;
    if (const std::string part = epilogue_tag(epilogue); !part.empty()) name += "_" + part;
    return name;
}

EmittedKernel emit_kernel(KernelKind kind, const ConvAlgorithm& a, const KernelParams& p, Backend backend,
                          Precision precision, const Epilogue& epilogue, Pass pass) {
    const KindSpec& spec = spec_of(kind);
    if (spec.needs_recipes && !a.winograd()) throw std::logic_error("a Winograd kernel needs recipes");
    check_params(p, {.kinds = {kind}, .backend = backend, .precision = precision});
    const BackendSpec& b = spec_of(backend);
    const bool half_arithmetic = spec_of(precision).half_arithmetic;
    const ProductOperands operands = spec_of(precision).product_operands;
    const KernelInterface interface{kernel_name(kind, a, p, precision, epilogue, pass), spec.workgroup_size(p),
                                    buffers_of(kind, p, precision, epilogue), half_arithmetic, operands,
                                    spec.multiplies && spec_of(precision).quantized(),
                                    spec.multiplies && spec_of(precision).quantized() && p[Param::integer_dot][0] != 0,
                                    applies_to(param_spec(Param::gemm_subgroup), kind) && p[Param::gemm_subgroup][0] != 0,
                                    backend == Backend::glsl && applies_to(param_spec(Param::tensor_cores), kind) &&
                                        p[Param::tensor_cores][0] != 0};
    const std::string body = fill_template(template_text(template_of(spec, pass)),
                                           spec.values(a, p, half_arithmetic ? b.half_dialect : b.dialect, operands));
    std::string source = header(spec, a, p, b, precision, epilogue, pass) + b.preamble(interface) + defines(kind, p) +
                         pass_macros(pass, a.r, a.s, binds(kind, p, BufferId::images), binds(kind, p, BufferId::filters)) +
                         (carries_epilogue(kind) ? epilogue_macros(epilogue) : "") + tensor_coding_macros(kind, p, a, precision) +
                         "\n" + body;
    if (source.size() > max_kernel_bytes)
        throw InputError(fmt::format("{} would be {} bytes of source, past the {} a kernel may have: lower the unroll factor or the tiles",
                                     interface.name, source.size(), max_kernel_bytes));
    return {kind, interface.name, std::move(source), interface.workgroup_size, interface.buffers,
            interface.subgroup || interface.cooperative_matrix};
}

std::vector<EmittedKernel> emit_variant(Variant variant, const ConvAlgorithm& a, const KernelParams& p,
                                        Backend backend, Precision precision, const Epilogue& epilogue, Pass pass) {
    std::vector<EmittedKernel> out;
    for (KernelKind kind : spec_of(variant).kinds) out.push_back(emit_kernel(kind, a, p, backend, precision, epilogue, pass));
    return out;
}

}  // namespace wino
