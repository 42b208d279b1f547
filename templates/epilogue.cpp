// The activation table and the epilogue's names, macros and host reference.
#include "templates/epilogue.hpp"

#include <wino/errors.hpp>
#include "generator/exact.hpp"
#include "templates/kernel_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace wino {
namespace {

// A parameter in the working type: REAL(0.1f).
std::string real(float value) { return fmt::format("REAL({})", float_literal(value)); }

// A parameter in a kernel name: 0.1 -> 0p1, -1 -> m1.
std::string name_part(float value) {
    std::string text = fmt::format("{}", value);
    std::replace(text.begin(), text.end(), '.', 'p');
    std::replace(text.begin(), text.end(), '-', 'm');
    std::replace(text.begin(), text.end(), '+', 'p');
    return text;
}

float parse_parameter(const std::string& text, const std::string& whole, std::string_view what) {
    float value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        throw InputError(fmt::format("{} {}: '{}' is not a finite number", what, whole, text));
    return value;
}

}  // namespace

const std::vector<ActivationSpec>& activations() {
    static const std::vector<ActivationSpec> table = {
        {Activation::none, "none", "none", "", "the convolution (plus the bias, if any)", 0},
        {Activation::relu, "relu", "relu", "relu", "max(y, 0)", 0},
        {Activation::relu6, "relu6", "relu6", "relu6", "min(max(y, 0), 6)", 0},
        {Activation::leaky_relu, "leaky_relu", "leaky_relu", "lrelu", "y < 0 ? alpha*y : y (alpha 0.01 unless given)", 1},
        {Activation::clip, "clip", "clip", "clip", "min(max(y, low), high)", 2},
    };
    return table;
}

const ActivationSpec& spec_of(Activation activation) {
    for (const ActivationSpec& spec : activations())
        if (spec.activation == activation) return spec;
    throw std::logic_error("unknown activation");
}

std::string activation_forms() { return "none, relu, relu6, leaky_relu[:alpha] or clip:low,high"; }

std::string activation_text(const Epilogue& e) {
    const ActivationSpec& spec = spec_of(e.activation);
    if (spec.parameters == 1) return fmt::format("{}:{}", spec.name, e.alpha);
    if (spec.parameters == 2) return fmt::format("{}:{},{}", spec.name, e.low, e.high);
    return spec.name;
}

void parse_activation(const std::string& text, Epilogue& e, std::string_view what) {
    const std::size_t colon = text.find(':');
    const std::string name = text.substr(0, colon);
    const auto& table = activations();
    const auto spec = std::find_if(table.begin(), table.end(), [&](const ActivationSpec& s) { return name == s.name; });
    if (spec == table.end())
        throw InputError(fmt::format("{} must be {}, not '{}'", what, activation_forms(), text));
    std::vector<std::string> values;
    if (colon != std::string::npos) {
        const std::string rest = text.substr(colon + 1);
        for (std::size_t start = 0;;) {
            const std::size_t comma = rest.find(',', start);
            values.push_back(rest.substr(start, comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    const bool optional = spec->parameters == 1;  // leaky_relu's alpha has a default
    if (values.size() != static_cast<std::size_t>(spec->parameters) && !(optional && values.empty()))
        throw InputError(fmt::format("{} {}: {} takes {}", what, text, spec->name,
                                     spec->parameters == 0   ? "no parameters"
                                     : spec->parameters == 1 ? "one parameter, leaky_relu:alpha"
                                                             : "two, clip:low,high"));
    e.activation = spec->activation;
    if (spec->parameters == 1 && !values.empty()) e.alpha = parse_parameter(values[0], text, what);
    if (spec->parameters == 2) {
        e.low = parse_parameter(values[0], text, what);
        e.high = parse_parameter(values[1], text, what);
        if (!(e.low < e.high)) throw InputError(fmt::format("{} {}: low must be below high", what, text));
    }
}

std::string epilogue_tag(const Epilogue& e) {
    std::vector<std::string> parts;
    if (e.bias) parts.push_back("bias");
    const ActivationSpec& spec = spec_of(e.activation);
    if (spec.parameters == 1) parts.push_back(spec.tag + name_part(e.alpha));
    if (spec.parameters == 2) parts.push_back(fmt::format("{}_{}_{}", spec.tag, name_part(e.low), name_part(e.high)));
    if (spec.parameters == 0 && *spec.tag) parts.push_back(spec.tag);
    return fmt::format("{}", fmt::join(parts, "_"));
}

std::string epilogue_text(const Epilogue& e) {
    if (e.activation == Activation::none) return e.bias ? "bias" : "";
    return e.bias ? "bias, then " + activation_text(e) : activation_text(e);
}

bool carries_epilogue(KernelKind kind) {
    for (const BufferUse& use : spec_of(kind).buffers(KernelParams()))
        if (use.buffer == BufferId::result) return true;
    return false;
}

std::string epilogue_macros(const Epilogue& e) {
    const std::string x = e.bias ? "((x) + bias_k)" : "(x)";
    std::string value;
    switch (e.activation) {
        case Activation::none: value = x; break;
        case Activation::relu: value = fmt::format("max({}, REAL(0))", x); break;
        case Activation::relu6: value = fmt::format("min(max({}, REAL(0)), {})", x, real(6)); break;
        case Activation::leaky_relu:
            value = fmt::format("({0} < REAL(0) ? {0} * {1} : {0})", x, real(e.alpha));
            break;
        case Activation::clip: value = fmt::format("min(max({}, {}), {})", x, real(e.low), real(e.high)); break;
    }
    return fmt::format("#define EPILOGUE_SETUP{}\n#define EPILOGUE(x) {}\n",
                       e.bias ? " REAL bias_k = FETCH_REAL(bias, k);" : "", value);
}

void apply_epilogue(const Epilogue& e, const std::vector<float>& bias, const ConvShape& s, std::vector<double>& y) {
    const std::size_t plane = static_cast<std::size_t>(s.out_h()) * s.out_w();
    for (std::size_t i = 0; i < y.size(); ++i) {
        double v = y[i] + (e.bias ? bias[(i / plane) % static_cast<std::size_t>(s.K)] : 0.0);
        switch (e.activation) {
            case Activation::none: break;
            case Activation::relu: v = std::max(v, 0.0); break;
            case Activation::relu6: v = std::min(std::max(v, 0.0), 6.0); break;
            case Activation::leaky_relu: v = v < 0 ? v * e.alpha : v; break;
            case Activation::clip: v = std::min(std::max(v, double(e.low)), double(e.high)); break;
        }
        y[i] = v;
    }
}

}  // namespace wino
