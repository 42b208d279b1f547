// The pass table.
#include "templates/passes.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace wino {

const std::vector<PassSpec>& passes() {
    static const std::vector<PassSpec> table = {
        {Pass::forward, "forward", "", "the convolution y = x * w", "input", "output", false},
        {Pass::backward_data, "backward-data", "bd",
         "the input's gradient dx from the output's gradient dy and the filters w: the forward kernels on dy, padded "
         "R-1-p, with the filters turned by 180 degrees and K and C swapped",
         "grad-output", "grad-input", true},
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

ConvShape pass_shape(const ConvShape& layer, Pass pass) {
    if (!spec_of(pass).flips_filters) return layer;
    const Padding& p = layer.pad;
    return {layer.N, layer.K, layer.out_h(), layer.out_w(), layer.C, layer.R, layer.S,
            Padding{layer.R - 1 - p.top, layer.R - 1 - p.bottom, layer.S - 1 - p.left, layer.S - 1 - p.right}};
}

std::vector<float> pass_filters(const ConvShape& layer, Pass pass, const std::vector<float>& w) {
    if (!spec_of(pass).flips_filters) return w;
    const std::size_t size = static_cast<std::size_t>(layer.R) * layer.S;
    std::vector<float> flipped(w.size());
    for (std::size_t k = 0; k < static_cast<std::size_t>(layer.K); ++k)
        for (std::size_t c = 0; c < static_cast<std::size_t>(layer.C); ++c)
            for (std::size_t e = 0; e < size; ++e) flipped[(c * layer.K + k) * size + e] = w[(k * layer.C + c) * size + size - 1 - e];
    return flipped;
}

std::string filter_at_macro(Pass pass, int r, int s) {
    const int size = r * s;
    return spec_of(pass).flips_filters
               ? fmt::format("#define FILTER_AT(k, c, e) (((c) * p.K + (k)) * {} + {} - (e))\n", size, size - 1)
               : fmt::format("#define FILTER_AT(k, c, e) (((k) * p.C + (c)) * {} + (e))\n", size);
}

}  // namespace wino
