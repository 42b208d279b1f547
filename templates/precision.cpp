// The precision table.
#include "templates/precision.hpp"

#include "templates/passes.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace wino {

const std::vector<PrecisionSpec>& precisions() {
    using As = ProductOperands;
    static const std::vector<PrecisionSpec> table = {
        {Precision::fp32, "fp32", "fp32", "", "everything in 32 bits", false, false, false, false, false, As::as_read, 0x1p-24, 1},
        {Precision::fp16_storage, "fp16-storage", "fp16_storage", "hs",
         "U, V and M in 16-bit buffers (half the traffic between the kernels), arithmetic in fp32", true, true, false,
         false, false, As::as_read, 0x1p-11, 0x1p13 / 10},
        {Precision::fp16, "fp16", "fp16", "h",
         "U, V and M in 16-bit buffers, the transforms and the product in fp16 arithmetic", true, true, true, false, false, As::as_read, 0x1p-11, 0x1p13},
        {Precision::fp16_storage_io, "fp16-storage-io", "fp16_storage_io", "hsio",
         "fp16-storage with the input, filters and output in binary16 too", true, true, false, true, false, As::as_read, 0x1p-11,
         0x1p13 / 5},
        {Precision::fp16_io, "fp16-io", "fp16_io", "hio", "fp16 with the input, filters and output in binary16 too", true,
         true, true, true, false, As::as_read, 0x1p-11, 0x1p13},
        // The tensor cores' mixed precision: binary16 operands, sums in fp32.
        {Precision::fp16_mixed, "fp16-mixed", "fp16_mixed", "hm",
         "U and V (the product's operands) in 16-bit buffers, multiplied and summed in fp32 into an fp32 M; the "
         "transforms in fp32",
         true, false, false, false, false, As::as_read, 0x1p-11, 0x1p13 / 15},
        // TF32 keeps fp16's 10-bit significand: its rounding of both operands
        // errs as fp16-mixed's storage of them does.
        {Precision::tf32, "tf32", "tf32", "tf32",
         "fp32 buffers and arithmetic, the product's operands rounded to TF32 (a 10-bit significand), as tensor cores "
         "take fp32 data",
         false, false, false, false, false, As::tf32, 0x1p-11, 0x1p13 / 15},
        // The split leaves out small·small and rounds each small part to TF32,
        // both about 2^-22 of a product: a few fp32 roundings more.
        {Precision::split_tf32, "split-tf32", "split_tf32", "tf32x3",
         "fp32 buffers and arithmetic, each product from the operands' TF32 parts (big·small + small·big + big·big, "
         "CUTLASS's 3xTF32): tensor cores at fp32's error",
         false, false, false, false, false, As::split_tf32, 0x1p-24, 2},
        // Quantization errs by half a step of 127 a side of a tap's clip: its
        // error is the clips' (run --check holds it to the int8 host model's,
        // check_bound). The factor sets its error budget, 8e-2 (int8-class):
        // on layers a-d of ncnn-comparison.txt the int8 direct convolution
        // errs 5.4-5.7e-3, calibrated F(2,3) 1.3-1.7e-2 and F(4,3) 4-6e-2
        // (within), F(6,3) 1.6-2.3e-1 (past it); docs/int8.md.
        {Precision::int8, "int8", "int8", "i8",
         "the transforms in fp32, U and V quantized to int8 per tap at their clips (Int8Clips) and packed 4 channels a "
         "word, the product as 4-way int8 dot products summed in int32 (dp4a), dequantized before the output transform",
         false, false, false, false, false, As::int8, 1.0 / 254, 8000},
        // int8 whose input and output are QLinearConv's int8 codes: the
        // coding of the output adds half a step of its scale, which the check
        // holds to the host model's (int8_check_bound) as int8's.
        {Precision::int8_io, "int8-io", "int8_io", "i8io",
         "int8 with the input and output as int8 codes at their scales and zero points (ONNX QLinearConv's), dequantized "
         "as they are read and coded as they are written; the filters in fp32",
         false, false, false, false, true, As::int8, 1.0 / 254, 8000},
        // The 16-bit codes err by half a step of 32,639 a side, and leaving
        // out low·low about as much again: about 1/200 of int8's error
        // (run --check holds it to the host model's, as int8's).
        // The factor sets its error budget, 2.56e-3, under half the int8
        // direct convolution's error on layers a-d (5.6e-3): with exact-bound
        // clips F(2,3) errs about 1e-4 there and F(4,3) 4-7e-4 (within),
        // F(6,3) 2.1-3.3e-3 (at and past it; docs/int8.md).
        {Precision::split_int8, "split-int8", "split_int8", "i8x3",
         "int8 with U and V quantized to 16-bit codes, each split into a high and a low int8 code, the product as "
         "three int8 products of the parts (high·high, high·low, low·high: Ozaki's splitting) summed in int32",
         false, false, false, false, false, As::split_int8, 1.0 / 65278, 256},
        // split-int8 with int8 tensors: the output's coding (half a step of
        // its scale, about 1.1e-2 on layers a-d at their own scales) is most
        // of its error; the budget, 2.5e-2, holds twice that.
        {Precision::split_int8_io, "split-int8-io", "split_int8_io", "i8x3io",
         "split-int8 with the input and output as int8 codes at their scales and zero points (ONNX QLinearConv's), as "
         "int8-io's",
         false, false, false, false, true, As::split_int8, 1.0 / 65278, 2500},
    };
    return table;
}

const PrecisionSpec& spec_of(Precision precision) {
    for (const PrecisionSpec& spec : precisions())
        if (spec.precision == precision) return spec;
    throw std::logic_error("unknown precision");
}

const char* to_string(Precision precision) { return spec_of(precision).name; }

namespace {

// "a, b or c"; "a".
std::string listed(std::vector<std::string> names) {
    if (names.size() == 1) return names.front();
    const std::string last = names.back();
    names.pop_back();
    return fmt::format("{} or {}", fmt::join(names, ", "), last);
}

}  // namespace

std::string precision_names() {
    std::vector<std::string> names;
    for (const PrecisionSpec& spec : precisions()) names.push_back(spec.name);
    return listed(names);
}

std::string tensor_core_precision_names(Backend backend) {
    std::vector<std::string> names;
    for (const PrecisionSpec& spec : precisions())
        if (backend == Backend::cuda ? spec.tensor_core_product() : spec.binary16_tensor_core_product()) names.push_back(spec.name);
    return listed(names);
}

std::string quantized_precision_names() {
    std::vector<std::string> names;
    for (const PrecisionSpec& spec : precisions())
        if (spec.quantized()) names.push_back(spec.name);
    return listed(names);
}

std::string coded_precision_names() {
    std::vector<std::string> names;
    for (const PrecisionSpec& spec : precisions())
        if (spec.int8_io) names.push_back(spec.name);
    return listed(names);
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

bool is_integer(const PrecisionSpec& precision, BufferId buffer) {
    return precision.quantized() &&
           (buffer == BufferId::u || buffer == BufferId::v || buffer == BufferId::product);
}

bool is_int8(const PrecisionSpec& precision, BufferId buffer) {
    return precision.int8_io && (buffer == BufferId::images || buffer == BufferId::result);
}

OperandPacking operand_packing(Precision precision) {
    const PrecisionSpec& spec = spec_of(precision);
    return {spec.quantized() ? int8_channels_a_word : 1, operand_parts(spec.product_operands), product_planes(spec.product_operands)};
}

bool reads_scales(KernelKind kind, Precision precision) {
    return spec_of(precision).quantized() && spec_of(kind).needs_recipes &&
           !spec_of(kind).multiplies;
}

ElementType tensor_type(Precision precision) { return spec_of(precision).int8_io ? ElementType::int8 : parameter_type(precision); }

ElementType parameter_type(Precision precision) { return spec_of(precision).half_io ? ElementType::fp16 : ElementType::fp32; }

const char* to_string(ElementType type) {
    switch (type) {
        case ElementType::fp32: return "fp32";
        case ElementType::fp16: return "fp16";
        case ElementType::int8: return "int8";
    }
    throw std::logic_error("unknown element type");
}

void check_precision(Variant variant, Precision precision, Pass pass) {
    const PrecisionSpec& spec = spec_of(precision);
    if (spec.quantized()) {
        if (variant != Variant::nonfused)
            throw InputError(fmt::format("precision {} runs the nonfused variant: its transforms quantize U and V "
                                         "apart from the product", spec.name));
        if (pass != Pass::forward)
            throw InputError(fmt::format("precision {} is for inference: the forward pass, not {}", spec.name, to_string(pass)));
        return;
    }
    if (spec_of(variant).winograd) return;
    if (spec.half_arithmetic)
        throw InputError(fmt::format("the direct kernel computes in fp32: precision {} is for the nonfused and fused variants{}",
                                     spec.name, spec.half_io ? " (fp16-storage-io gives it binary16 tensors)" : ""));
    if (spec.half_intermediates() && !spec.half_io)
        throw InputError(fmt::format("the direct kernel has no intermediates to keep in 16 bits: precision {} is for "
                                     "the nonfused and fused variants", spec.name));
    if (spec.product_operands != ProductOperands::as_read)
        throw InputError(fmt::format("the direct kernel multiplies the tensors themselves, in fp32: precision {} rounds "
                                     "the Winograd product's operands, in the nonfused and fused variants", spec.name));
}

Roundings roundings(Variant variant, Precision precision) {
    Roundings rounded;
    const PrecisionSpec& spec = spec_of(precision);
    for (KernelKind kind : spec_of(variant).kinds)
        for (const BufferUse& use : spec_of(kind).buffers(KernelParams()))
            if (is_half(spec, use.buffer)) {
                rounded.u |= use.buffer == BufferId::u;
                rounded.v |= use.buffer == BufferId::v;
                rounded.product |= use.buffer == BufferId::product;
            }
    rounded.tensors = spec.half_io;
    rounded.operands = spec.product_operands;
    return rounded;
}

OptimizerOptions optimizer_options(Precision precision) {
    OptimizerOptions options;
    options.balanced = spec_of(precision).half_intermediates();
    return options;
}

}  // namespace wino
