// Recipe JSON, text and statement rendering.
#include "recipes/recipe_format.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

namespace wino {
namespace {

std::size_t arity(Opcode code) {
    switch (code) {
        case Opcode::add:
        case Opcode::sub:
        case Opcode::mul: return 2;
        case Opcode::fma: return 3;
        case Opcode::neg:
        case Opcode::copy: return 1;
    }
    return 0;
}

// The JSON argument list: value names, and the constant where the op has one.
std::vector<std::string> arguments(const Op& op, const std::vector<std::string>& names) {
    switch (op.code) {
        case Opcode::add:
        case Opcode::sub: return {names[op.a], names[op.b]};
        case Opcode::mul: return {names[op.a], to_string(op.c)};
        case Opcode::fma: return {names[op.a], to_string(op.c), names[op.b]};
        case Opcode::neg:
        case Opcode::copy: return {names[op.a]};
    }
    return {};
}

std::string expression(const Op& op, const std::vector<std::string>& names,
                       const std::function<std::string(const Exact&)>& constant, const std::string& fma_name) {
    switch (op.code) {
        case Opcode::add: return fmt::format("{} + {}", names[op.a], names[op.b]);
        case Opcode::sub: return fmt::format("{} - {}", names[op.a], names[op.b]);
        case Opcode::neg: return fmt::format("-{}", names[op.a]);
        case Opcode::mul: return fmt::format("{} * {}", names[op.a], constant(op.c));
        case Opcode::fma:
            return fma_name.empty() ? fmt::format("{} * {} + {}", names[op.a], constant(op.c), names[op.b])
                                    : fmt::format("{}({}, {}, {})", fma_name, names[op.a], constant(op.c), names[op.b]);
        case Opcode::copy: return names[op.a];
    }
    return "";
}

std::string exact_constant(const Exact& c) { return is_negative(c) ? fmt::format("({})", to_string(c)) : to_string(c); }

}  // namespace

std::string float_constant(const Exact& c) { return fmt::format("{} /* {} */", float_literal(c), to_string(c)); }

nlohmann::ordered_json to_json(const OpCounts& c) {
    return {{"add", c.add}, {"mul", c.mul}, {"fma", c.fma}, {"total", c.total()}};
}

nlohmann::ordered_json to_json(const Recipe& recipe) {
    const std::vector<std::string> names = recipe.value_names();
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array(), outputs = nlohmann::ordered_json::array(),
                           ops = nlohmann::ordered_json::array();
    for (int i = 0; i < recipe.n_inputs; ++i) inputs.push_back(names[i]);
    for (int out : recipe.outputs) outputs.push_back(names[out]);
    for (std::size_t k = 0; k < recipe.ops.size(); ++k)
        ops.push_back({{"dst", names[recipe.n_inputs + k]},
                       {"op", to_string(recipe.ops[k].code)},
                       {"args", arguments(recipe.ops[k], names)}});
    return {{"inputs", inputs}, {"outputs", outputs}, {"ops", ops}, {"counts", to_json(recipe.counts())}};
}

Recipe recipe_from_json(const nlohmann::ordered_json& j) {
    auto field = [&](const nlohmann::ordered_json& obj, const char* key) -> const nlohmann::ordered_json& {
        if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_array())
            throw InputError(fmt::format("recipe has no list '{}'", key));
        return obj.at(key);
    };
    Recipe recipe;
    std::map<std::string, int> value_of;
    auto define = [&](const nlohmann::ordered_json& name) {
        if (!name.is_string() || name.get<std::string>().empty() || value_of.count(name.get<std::string>()))
            throw InputError(fmt::format("recipe defines {} twice or with a bad name", name.dump()));
        const int id = static_cast<int>(value_of.size());
        value_of[name.get<std::string>()] = id;
    };
    auto value = [&](const nlohmann::ordered_json& name) {
        if (!name.is_string() || !value_of.count(name.get<std::string>()))
            throw InputError(fmt::format("recipe uses {} before defining it", name.dump()));
        return value_of.at(name.get<std::string>());
    };
    auto constant = [&](const nlohmann::ordered_json& c) {
        if (!c.is_string()) throw InputError(fmt::format("recipe constant {} is not an exact string", c.dump()));
        return parse_exact(c.get<std::string>(), "recipe constant");
    };
    for (const auto& name : field(j, "inputs")) define(name);
    recipe.n_inputs = static_cast<int>(value_of.size());
    for (const auto& op : field(j, "ops")) {
        if (!op.is_object() || !op.contains("op") || !op["op"].is_string() || !op.contains("dst"))
            throw InputError(fmt::format("recipe op {} lacks 'op' or 'dst'", op.dump()));
        const Opcode code = parse_opcode(op["op"].get<std::string>());
        const auto& args = field(op, "args");
        if (args.size() != arity(code))
            throw InputError(fmt::format("recipe op {} takes {} arguments", to_string(code), arity(code)));
        Op parsed{code, value(args[0]), -1, 0};
        if (code == Opcode::add || code == Opcode::sub) parsed.b = value(args[1]);
        if (code == Opcode::mul) parsed.c = constant(args[1]);
        if (code == Opcode::fma) parsed.c = constant(args[1]), parsed.b = value(args[2]);
        recipe.ops.push_back(parsed);
        define(op["dst"]);
    }
    for (const auto& name : field(j, "outputs")) recipe.outputs.push_back(value(name));
    check_structure(recipe);
    if (j.contains("counts") && j["counts"] != to_json(recipe.counts()))
        throw InputError(fmt::format("recipe counts {} do not match its ops ({})", j["counts"].dump(),
                                     to_json(recipe.counts()).dump()));
    return recipe;
}

std::string render_text(const Recipe& recipe) {
    const std::vector<std::string> names = recipe.value_names();
    std::string out;
    for (std::size_t k = 0; k < recipe.ops.size(); ++k)
        out += fmt::format("  {} = {}\n", names[recipe.n_inputs + k],
                           expression(recipe.ops[k], names, exact_constant, ""));
    return out;
}

std::string render_statements(const Recipe& recipe, const Dialect& dialect, const std::vector<std::string>& input_names,
                              const std::string& indent, const std::vector<std::string>& output_names) {
    std::vector<std::string> names = recipe.value_names();
    for (int i = 0; i < recipe.n_inputs; ++i) names[i] = input_names[i];
    std::string out;
    for (std::size_t k = 0; k < recipe.ops.size(); ++k)
        out += fmt::format("{}{} {} = {};\n", indent, dialect.declare, names[recipe.n_inputs + k],
                           expression(recipe.ops[k], names, dialect.constant, dialect.fma));
    for (std::size_t i = 0; i < output_names.size(); ++i)
        out += fmt::format("{}{} = {};\n", indent, output_names[i], names[recipe.outputs[i]]);
    return out;
}

std::string render_transform_header(const RecipeSet& s, const std::vector<std::string>& only) {
    const ToomCook1D& a = s.algorithm;
    std::string out = fmt::format(
        "// wino-gen: Winograd F({},{}) 1D transforms, points {}.\n"
        "// Each computes y = M x for its exact (scaled) matrix; x and y are strided vectors.\n"
        "#pragma once\n#include <math.h>\n#ifdef __CUDACC__\n#define WINO_HD __host__ __device__ inline\n#else\n"
        "#define WINO_HD static inline\n#endif\n",
        a.m, a.r, fmt::join(point_strings(a.points), ", "));
    for (const TransformPart& part : transform_parts(s)) {
        if (!only.empty() && std::find(only.begin(), only.end(), part.name) == only.end()) continue;
        const OpCounts c = part.recipe.counts();
        out += fmt::format("\n// {} transform: {} ops (add {}, mul {}, fma {}). M =\n", part.name, c.total(), c.add, c.mul,
                           c.fma);
        for (std::size_t i = 0; i < part.matrix.rows(); ++i) {
            std::vector<std::string> row;
            for (std::size_t j = 0; j < part.matrix.cols(); ++j) row.push_back(to_string(part.matrix(i, j)));
            out += fmt::format("//   [{}]\n", fmt::join(row, ", "));
        }
        std::vector<std::string> inputs, outputs;
        for (int i = 0; i < part.recipe.n_inputs; ++i) inputs.push_back(fmt::format("x[{} * x_stride]", i));
        for (std::size_t i = 0; i < part.recipe.outputs.size(); ++i) outputs.push_back(fmt::format("y[{} * y_stride]", i));
        out += fmt::format("WINO_HD void winograd_f{}_{}_{}(const float* x, int x_stride, float* y, int y_stride) {{\n",
                           a.m, a.r, part.name);
        out += render_statements(part.recipe, Dialect{"const float", "fmaf"}, inputs, "    ", outputs) + "}\n";
    }
    return out;
}

}  // namespace wino
