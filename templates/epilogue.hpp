// The epilogue as data: each activation's name (as --activation takes it),
// its part of the kernel names, its parameters, and its code in the neutral
// kernel dialect. Flags, names, kernels, the reference and the registry all
// derive from this one table.
#pragma once

#include "templates/kernel_kinds.hpp"

#include <wino/shape.hpp>

#include <wino/kinds.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wino {

struct ActivationSpec {
    Activation activation;
    const char* name;        // "leaky_relu"
    const char* identifier;  // its enumerator
    const char* tag;         // its part of kernel names: "lrelu"
    const char* help;
    int parameters;          // 0; 1: alpha; 2: low, high
};

const std::vector<ActivationSpec>& activations();
const ActivationSpec& spec_of(Activation activation);

// "relu6", "leaky_relu:0.1", "clip:-1,1": what --activation takes back.
std::string activation_text(const Epilogue& epilogue);
// Reads --activation's text into the epilogue; throws InputError naming the forms.
// `what` names the text in messages ("--activation").
void parse_activation(const std::string& text, Epilogue& epilogue, std::string_view what);
// For help texts: "none, relu, relu6, leaky_relu[:alpha] or clip:low,high".
std::string activation_forms();

// "bias_relu6", "lrelu0p1", "bias_clip_m1_1"; "" for none without bias.
std::string epilogue_tag(const Epilogue& epilogue);
// "bias, then relu6", for header comments; "" for none without bias.
std::string epilogue_text(const Epilogue& epilogue);

// Kinds that write the output carry the epilogue (and bind the bias).
bool carries_epilogue(KernelKind kind);
// The macros the templates use: EPILOGUE_SETUP (loads bias[k]) and
// EPILOGUE(x), in the working type REAL.
std::string epilogue_macros(const Epilogue& epilogue);

// The epilogue on host values: y is N·K·H'·W' (as reference_conv2d gives it),
// bias K values (ignored without epilogue.bias).
void apply_epilogue(const Epilogue& epilogue, const std::vector<float>& bias, const ConvShape& shape, std::vector<double>& y);

}  // namespace wino
