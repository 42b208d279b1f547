// The emitter's parameter validation: the input's lines are flag values, one
// per table parameter in order, or (when it starts with '{') a JSON config;
// what is accepted is checked against every constraint with a layer and a
// device taken from the first bytes, and emitted when it passes.
#include "generator/checked.hpp"
#include "templates/emitter.hpp"
#include <wino/errors.hpp>
#include "templates/kernel_params.hpp"
#include "recipes/recipe_db.hpp"

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

using namespace wino;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    const std::string text(reinterpret_cast<const char*>(data + 4), size - 4);
    const ConvShape layer{1, 1 + data[0] % 16, 1 + data[1] % 32, 1 + data[1] % 29, 1 + data[2] % 16, 3, data[2] % 2};
    const int m = 2 + data[3] % 5;
    const DeviceLimits limits{static_cast<std::uint32_t>(32u << (data[3] % 6)), {65535, 65535, 65535}, 16384u << (data[0] % 3)};
    try {
        KernelParams params;
        if (!text.empty() && text[0] == '{') {
            params = params_from_json(nlohmann::json::parse(text, nullptr, true), params);
        } else {
            std::istringstream lines(text);
            std::string line;
            for (const ParamSpec& spec : param_table())
                if (std::getline(lines, line)) params[spec.param] = parse_value(spec, line, ParamNaming::key);
        }
        std::vector<KernelKind> kinds = spec_of(Variant::nonfused).kinds;
        check_params(params, {kinds, &layer, m, &limits});
        static const RecipeSet recipes = recipes_for(4, 3, default_points(6), {});
        if (m == 4) emit_variant(Variant::nonfused, ConvAlgorithm::square(recipes), params, data[0] % 2 ? Backend::cuda : Backend::glsl);
    } catch (const InputError&) {
    } catch (const DeviceError&) {
    } catch (const nlohmann::json::exception&) {  // not JSON (callers report it as their file's error)
    }
    return 0;
}
