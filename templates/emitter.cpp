// Kernel assembly: header comment, backend preamble, filled template.
#include "emitter.hpp"

#include <wino/errors.hpp>

#include "meta_code.hpp"
#include "recipe_format.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <stdexcept>

namespace wino {
namespace {

// The kind's buffers at the precision (which are 16-bit), and the bias where
// its epilogue adds one.
std::vector<BufferUse> buffers_of(KernelKind kind, const KernelParams& p, Precision precision,
                                  const Epilogue& epilogue = {}) {
    std::vector<BufferUse> buffers = spec_of(kind).buffers(p);
    if (epilogue.bias && carries_epilogue(kind)) buffers.push_back({BufferId::bias, false});
    for (BufferUse& use : buffers) use.half = is_half(spec_of(precision), use.buffer);
    return buffers;
}

// The epilogue's part of a kind's name: only the kinds that write the output carry one.
std::string epilogue_part(KernelKind kind, const Epilogue& epilogue) {
    return carries_epilogue(kind) ? epilogue_tag(epilogue) : "";
}

bool binds_half(KernelKind kind, const KernelParams& p, Precision precision) {
    const std::vector<BufferUse> buffers = buffers_of(kind, p, precision);
    return std::any_of(buffers.begin(), buffers.end(), [](const BufferUse& use) { return use.half; });
}


std::string header(const KindSpec& kind, const RecipeSet* s, int r, const KernelParams& p, const BackendSpec& backend,
                   Precision precision, const Epilogue& epilogue) {
    std::string out = fmt::format("// wino-gen {} kernel, {}.\n", kind.name, backend.language);
    if (binds_half(kind.kind, p, precision))
        out += fmt::format("// Precision {}: {}.\n", to_string(precision), spec_of(precision).help);
    if (carries_epilogue(kind.kind))
        if (const std::string text = epilogue_text(epilogue); !text.empty())
            out += fmt::format("// Epilogue: {}, applied to each output value in registers.\n", text);
    if (s) {
        const ToomCook1D& a = s->algorithm;
        out += fmt::format("// Winograd F({}x{},{}x{}), alpha {}, points {}.\n", a.m, a.m, a.r, a.r, a.alpha,
                           fmt::join(point_strings(a.points), ", "));
        out += fmt::format("// 1D recipe ops (add/mul/fma): input {}/{}/{}, filter {}/{}/{}, output {}/{}/{}.\n",
                           s->input.counts().add, s->input.counts().mul, s->input.counts().fma, s->filter.counts().add,
                           s->filter.counts().mul, s->filter.counts().fma, s->output.counts().add,
                           s->output.counts().mul, s->output.counts().fma);
    } else {
        out += fmt::format("// Direct {}x{} convolution.\n", r, r);
    }
    std::vector<std::string> tuning;
    for (const ParamSpec& spec : param_table())
        if (applies_to(spec, kind.kind)) tuning.push_back(fmt::format("{} {}", spec.name, value_text(spec, p[spec.name])));
    return out + fmt::format("// Tuning: {}.\n", fmt::join(tuning, ", "));
}

// The values of the parameters that shape the kind, for templates to read (CLBlast's way).
std::string defines(KernelKind kind, const KernelParams& p) {
    std::string out;
    for (const ParamSpec& spec : param_table())
        if (applies_to(spec, kind)) out += defines_of(spec, p[spec.name]);
    return out;
}

}  // namespace

std::string kernel_name(KernelKind kind, const RecipeSet* s, int r, const KernelParams& p, Precision precision,
                        const Epilogue& epilogue) {
    std::string name = s ? fmt::format("wino_f{}_{}_{}", s->algorithm.m, s->algorithm.r, to_string(kind))
                         : fmt::format("wino_{}_r{}", to_string(kind), r);
    if (binds_half(kind, p, precision)) name += fmt::format("_{}", spec_of(precision).tag);
    if (s && spec_of(kind).needs_recipes)
        if (const std::string tag = points_tag(s->algorithm.points); !tag.empty()) name += "_" + tag;
    for (const ParamSpec& spec : param_table())
        if (applies_to(spec, kind))
            if (const std::string part = name_part(spec, p[spec.name]); !part.empty()) name += "_" + part;
    if (const std::string part = epilogue_part(kind, epilogue); !part.empty()) name += "_" + part;
    return name;
}

std::string kernel_set_name(Variant variant, int m, int r, const KernelParams& p, Precision precision,
                            const std::string& points, const Epilogue& epilogue) {
    const VariantSpec& v = spec_of(variant);
    std::string name = v.winograd ? fmt::format("wino_f{}_{}_{}", m, r, v.name) : fmt::format("wino_{}_r{}", v.name, r);
    if (std::any_of(v.kinds.begin(), v.kinds.end(), [&](KernelKind k) { return binds_half(k, p, precision); }))
        name += fmt::format("_{}", spec_of(precision).tag);
    if (!points.empty())
        if (const std::string tag = points_tag(parse_points(points, m + r - 1)); !tag.empty()) name += "_" + tag;
    for (const ParamSpec& spec : param_table())
        if (std::any_of(v.kinds.begin(), v.kinds.end(), [&](KernelKind k) { return applies_to(spec, k); }))
            if (const std::string part = name_part(spec, p[spec.name]); !part.empty()) name += "_" + part;
    if (const std::string part = epilogue_tag(epilogue); !part.empty()) name += "_" + part;
    return name;
}

EmittedKernel emit_kernel(KernelKind kind, const RecipeSet* s, int r, const KernelParams& p, Backend backend,
                          Precision precision, const Epilogue& epilogue) {
    const KindSpec& spec = spec_of(kind);
    if (spec.needs_recipes && !s) throw std::logic_error("a Winograd kernel needs recipes");
    check_params(p, {{kind}});
    const BackendSpec& b = spec_of(backend);
    const bool half_arithmetic = spec_of(precision).half_arithmetic;
    const KernelInterface interface{kernel_name(kind, s, r, p, precision, epilogue), spec.workgroup_size(p),
                                    buffers_of(kind, p, precision, epilogue), half_arithmetic};
    const std::string body =
        fill_template(template_text(spec.name), spec.values(s, r, p, half_arithmetic ? b.half_dialect : b.dialect));
    std::string source = header(spec, s, r, p, b, precision, epilogue) + b.preamble(interface) + defines(kind, p) +
                         (carries_epilogue(kind) ? epilogue_macros(epilogue) : "") + "\n" + body;
    if (source.size() > max_kernel_bytes)
        throw InputError(fmt::format("{} would be {} bytes of source, past the {} a kernel may have: lower --unroll or the tiles",
                                     interface.name, source.size(), max_kernel_bytes));
    return {kind, interface.name, std::move(source), interface.workgroup_size, interface.buffers};
}

std::vector<EmittedKernel> emit_variant(Variant variant, const RecipeSet* s, int r, const KernelParams& p,
                                        Backend backend, Precision precision, const Epilogue& epilogue) {
    std::vector<EmittedKernel> out;
    for (KernelKind kind : spec_of(variant).kinds) out.push_back(emit_kernel(kind, s, r, p, backend, precision, epilogue));
    return out;
}

}  // namespace wino
