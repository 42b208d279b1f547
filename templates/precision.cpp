// The precision table.
#include "templates/precision.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace wino {

const std::vector<PrecisionSpec>& precisions() {
    static const std::vector<PrecisionSpec> table = {
        {Precision::fp32, "fp32", "fp32", "", "everything in 32 bits", false, false, false, false, 0x1p-24, 1},
        {Precision::fp16_storage, "fp16-storage", "fp16_storage", "hs",
         "U, V and M in 16-bit buffers (half the traffic between the kernels), arithmetic in fp32", true, true, false,
         false, 0x1p-11, 0x1p13 / 10},
        {Precision::fp16, "fp16", "fp16", "h",
         "U, V and M in 16-bit buffers, the transforms and the product in fp16 arithmetic", true, true, true, false,
         0x1p-11, 0x1p13},
        {Precision::fp16_storage_io, "fp16-storage-io", "fp16_storage_io", "hsio",
         "fp16-storage with the input, filters and output in binary16 too", true, true, false, true, 0x1p-11,
         0x1p13 / 5},
        {Precision::fp16_io, "fp16-io", "fp16_io", "hio", "fp16 with the input, filters and output in binary16 too", true,
         true, true, true, 0x1p-11, 0x1p13},
        // The tensor cores' mixed precision: binary16 operands, sums in fp32.
        {Precision::fp16_mixed, "fp16-mixed", "fp16_mixed", "hm",
         "U and V (the product's operands) in 16-bit buffers, multiplied and summed in fp32 into an fp32 M; the "
         "transforms in fp32",
         true, false, false, false, 0x1p-11, 0x1p13 / 15},
    };
    return table;
}

const PrecisionSpec& spec_of(Precision precision) {
    for (const PrecisionSpec& spec : precisions())
        if (spec.precision == precision) return spec;
    throw std::logic_error("unknown precision");
}

const char* to_string(Precision precision) { return spec_of(precision).name; }

std::string precision_names() {
    std::vector<std::string> names;
    for (const PrecisionSpec& spec : precisions()) names.push_back(spec.name);
    const std::string last = names.back();
    names.pop_back();
    return fmt::format("{} or {}", fmt::join(names, ", "), last);
}

std::string precision_help() {
    std::vector<std::string> parts;
    for (const PrecisionSpec& spec : precisions()) parts.push_back(fmt::format("{}: {}", spec.name, spec.help));
    return fmt::format("{}", fmt::join(parts, "; "));
}

Precision parse_precision(const std::string& name, std::string_view what) {
    for (const PrecisionSpec& spec : precisions())
        if (name == spec.name) return spec.precision;
    throw InputError(fmt::format("{} must be {}, not '{}'", what, precision_names(), name));
}

bool is_half(const PrecisionSpec& precision, BufferId buffer) {
    if (buffer == BufferId::u || buffer == BufferId::v) return precision.half_operands;
    return buffer == BufferId::product ? precision.half_product : precision.half_io;
}

ElementType tensor_type(Precision precision) { return spec_of(precision).half_io ? ElementType::fp16 : ElementType::fp32; }

const char* to_string(ElementType type) { return type == ElementType::fp16 ? "fp16" : "fp32"; }

void check_precision(Variant variant, Precision precision) {
    if (spec_of(variant).winograd) return;
    const PrecisionSpec& spec = spec_of(precision);
    if (spec.half_arithmetic)
        throw InputError(fmt::format("the direct kernel computes in fp32: precision {} is for the nonfused and fused variants{}",
                                     spec.name, spec.half_io ? " (fp16-storage-io gives it binary16 tensors)" : ""));
    if (spec.half_intermediates() && !spec.half_io)
        throw InputError(fmt::format("the direct kernel has no intermediates to keep in 16 bits: precision {} is for "
                                     "the nonfused and fused variants", spec.name));
}

HalfBuffers half_buffers(Variant variant, Precision precision) {
    HalfBuffers half;
    const PrecisionSpec& spec = spec_of(precision);
    for (KernelKind kind : spec_of(variant).kinds)
        for (const BufferUse& use : spec_of(kind).buffers(KernelParams()))
            if (is_half(spec, use.buffer)) {
                half.u |= use.buffer == BufferId::u;
                half.v |= use.buffer == BufferId::v;
                half.product |= use.buffer == BufferId::product;
            }
    half.tensors = spec.half_io;
    return half;
}

OptimizerOptions optimizer_options(Precision precision) {
    OptimizerOptions options;
    options.balanced = spec_of(precision).half_intermediates();
    return options;
}

}  // namespace wino
