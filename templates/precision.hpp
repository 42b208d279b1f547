// The precisions of a kernel set as data: what each keeps in 16 bits, what it
// asks of the device, its part of the kernel names, and the error bound of
// `run --check` relative to fp32's. Flags, names, kernels, buffers and the
// layer error model all derive from this one table.
#pragma once

#include "templates/kernel_kinds.hpp"
#include "templates/kernel_params.hpp"
#include "templates/layer.hpp"
#include "recipes/optimizer.hpp"

#include <wino/kinds.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wino {

struct PrecisionSpec {
    Precision precision;
    const char* name;        // as --precision takes it: "fp16-storage"
    const char* identifier;  // its enumerator: "fp16_storage"
    const char* tag;   // its part of kernel and set names: "" for fp32, "hs"
    const char* help;
    bool half_operands;       // U and V (the product's operands) in 16-bit buffers
    bool half_product;        // M in a 16-bit buffer
    bool half_arithmetic;     // the transforms and the product in fp16 (shaderFloat16)
    bool half_io;             // the input, filters and output in binary16
    bool int8_io;             // the input and output as int8 codes (TensorQuantization), the filters in fp32
    ProductOperands product_operands;  // what the product rounds its operands to (kernel_kinds.hpp)
    // The unit roundoff of what the intermediates are stored in: 2^-24 or 2^-11.
    double unit_roundoff;
    // run --check's bound over fp32's: the rounding that fp32 does in every
    // stage, a 16-bit storage does in three of them, and fp16 arithmetic in
    // every one. The default error budget of a tuned choice is fp32's times
    // it too (layer_run.hpp).
    double bound_factor;
    bool half_intermediates() const { return half_operands || half_product; }
    // Whether U and V are quantized to int8 codes (int8, split-int8): the
    // product sums them in int32 and the transforms read the scales buffer.
    bool quantized() const { return wino::quantized(product_operands); }
    // Whether the GEMM's product can run on tensor cores (tensor_cores): its
    // operands binary16 or TF32 with its sums and M in fp32, or int8 codes
    // with int32 sums.
    bool tensor_core_product() const {
        return (half_operands || product_operands == ProductOperands::tf32 || product_operands == ProductOperands::split_tf32 ||
                quantized()) &&
               !half_product && !half_arithmetic;
    }
    // ... with binary16 operands, the one product of GLSL's cooperative matrices.
    bool binary16_tensor_core_product() const { return tensor_core_product() && half_operands; }
};

const std::vector<PrecisionSpec>& precisions();
const PrecisionSpec& spec_of(Precision precision);
const char* to_string(Precision precision);
// Throws InputError naming the precisions.
// `what` names the text in the message ("--precision").
Precision parse_precision(const std::string& name, std::string_view what);
// "fp32, fp16-storage or fp16", for help texts.
std::string precision_names();
// Each precision's name and what it keeps in 16 bits, for --precision's help.
std::string precision_help();

// Whether a precision keeps the buffer in 16 bits: U and V (the operands), M
// (the product), or the input, filters and output.
bool is_half(const PrecisionSpec& precision, BufferId buffer);
// Whether a precision keeps the buffer as int32 words: int8's U and V (4
// codes a word) and M (the exact sums).
bool is_integer(const PrecisionSpec& precision, BufferId buffer);
// Whether a precision keeps the buffer as int8 codes: int8-io's input and output.
bool is_int8(const PrecisionSpec& precision, BufferId buffer);
// How U and V hold a tap's channels at the precision (tiling_of's packing).
OperandPacking operand_packing(Precision precision);
// Whether a kind binds the scales buffer at the precision: at int8, the
// transforms, which quantize (filter, input) and dequantize (output).
bool reads_scales(KernelKind kind, Precision precision);
// The element type of the layer's input and output at a precision, and of
// its filters and bias (int8-io's are fp32).
ElementType tensor_type(Precision precision);
ElementType parameter_type(Precision precision);
const char* to_string(ElementType type);  // "fp32", "fp16", "int8"

// Throws InputError where the variant cannot do what the precision asks: the
// direct kernel has no intermediates and computes in fp32, so it takes fp32
// and fp16-storage-io (binary16 tensors) only; int8 is the nonfused variant's,
// forward only.
void check_precision(Variant variant, Precision precision, Pass pass = Pass::forward);

// Where a variant's kernels round beyond their arithmetic at a precision:
// which intermediates they keep in 16 bits (those they bind: the fused kernel
// has no V or M buffer), whether the tensors (input, filters, output) are
// binary16, and what the product rounds its operands to.
struct Roundings {
    bool u = false, v = false, product = false;
    bool tensors = false;
    ProductOperands operands = ProductOperands::as_read;
};
Roundings roundings(Variant variant, Precision precision);
// The precisions whose product can run on tensor cores: "fp16-mixed, tf32 or
// split-tf32"; on the tensor cores of cooperative matrices: "fp16-mixed".
std::string tensor_core_precision_names(Backend backend = Backend::cuda);
// The precisions that quantize U and V (clips, scales): "int8, int8-io, ...".
std::string quantized_precision_names();
// The precisions whose input and output are int8 codes: "int8-io or split-int8-io".
std::string coded_precision_names();

// The recipes' optimizer options at a precision: 16-bit intermediates take the
// balanced scaling (optimizer.hpp).
OptimizerOptions optimizer_options(Precision precision);

}  // namespace wino
