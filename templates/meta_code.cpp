// Template filling and the meta-code writers of the transform loops.
#include "templates/meta_code.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <regex>
#include <set>
#include <stdexcept>

namespace wino {

std::string recipe_loop(const Recipe& recipe, int n, int unroll, const Index& input, const Index& output,
                        const Dialect& dialect, const std::string& indent) {
    const int u = effective_unroll(n, unroll);
    const bool looped = u < n;
    const std::string body_indent = indent + (looped ? "    " : "");
    std::string out = looped ? fmt::format("{}for (int j = 0; j < {}; j += {}) {{\n", indent, n, u) : "";
    for (int copy = 0; copy < (looped ? u : n); ++copy) {
        const std::string j = looped ? (copy ? fmt::format("(j + {})", copy) : "j") : std::to_string(copy);
        std::vector<std::string> inputs, outputs;
        for (int i = 0; i < recipe.n_inputs; ++i) inputs.push_back(input(i, j));
        for (std::size_t i = 0; i < recipe.outputs.size(); ++i) outputs.push_back(output(static_cast<int>(i), j));
        out += body_indent + "{\n";
        out += render_statements(recipe, dialect, inputs, body_indent + "    ", outputs);
        out += body_indent + "}\n";
    }
    return looped ? out + indent + "}\n" : out;
}

std::pair<std::string, std::string> transform_2d(const Recipe& along_h, const Recipe& along_w, const std::string& in,
                                                 const std::string& mid, const std::string& out, int unroll,
                                                 const Dialect& dialect, const std::string& indent) {
    const int columns = along_w.n_inputs, rows_out = static_cast<int>(along_h.outputs.size()),
              columns_out = static_cast<int>(along_w.outputs.size());
    auto at = [](const std::string& array, int stride) {
        return [=](int i, const std::string& j) { return fmt::format("{}[{} * {} + {}]", array, i, stride, j); };
    };
    auto at_row = [](const std::string& array, int stride) {
        return [=](int i, const std::string& j) { return fmt::format("{}[{} * {} + {}]", array, j, stride, i); };
    };
    return {recipe_loop(along_h, columns, unroll, at(in, columns), at(mid, columns), dialect, indent),
            recipe_loop(along_w, rows_out, unroll, at_row(mid, columns), at_row(out, columns_out), dialect, indent)};
}

std::string float4_of(const std::function<std::string(int)>& part) {
    return fmt::format("MAKE_REAL4({}, {}, {}, {})", part(0), part(1), part(2), part(3));
}

std::string assign_each(int n, const std::function<std::string(int)>& lhs, const std::function<std::string(int)>& rhs,
                        const std::string& indent) {
    std::string out;
    for (int i = 0; i < n; ++i) out += fmt::format("{}{} = {};\n", indent, lhs(i), rhs(i));
    return out;
}

std::function<std::string(int)> element(const std::string& array) {
    return [=](int i) { return fmt::format("{}[{}]", array, i); };
}

std::string patch_load(int alpha_h, int alpha_w, const std::string& indent, const std::string& pixel) {
    std::string out;
    for (int i = 0; i < alpha_h; ++i)
        out += fmt::format("{1}int row{0} = min(max(top + {0}, 0), IMAGE_H - 1);\n{1}bool row{0}_in = row{0} == top + {0};\n",
                           i, indent);
    for (int j = 0; j < alpha_w; ++j)
        out += fmt::format("{1}int col{0} = min(max(left + {0}, 0), IMAGE_W - 1);\n{1}bool col{0}_in = col{0} == left + {0};\n",
                           j, indent);
    for (int i = 0; i < alpha_h; ++i)
        for (int j = 0; j < alpha_w; ++j)
            out += fmt::format("{3}REAL pixel{0}_{1} = {4};\n"
                               "{3}d[{2}] = row{0}_in && col{1}_in ? pixel{0}_{1} : REAL(0);\n", i, j, i * alpha_w + j, indent,
                               fmt::format(fmt::runtime(pixel), fmt::format("(plane + row{}) * IMAGE_W + col{}", i, j)));
    return out;
}

std::string block_store(TileSize m, bool vector_rows, const std::string& indent) {
    std::string out;
    if (vector_rows) {
        for (int i = m.h - 1; i >= 0; --i)
            for (int q = m.w / 4 - 1; q >= 0; --q)
                out += fmt::format("{}result[((out_base + min(th * {} + {}, p.out_h - 1)) * p.out_w) / 4 + "
                                   "min(tw * {} + {}, p.out_w / 4 - 1)] = STORED_result({});\n",
                                   indent, m.h, i, m.w / 4, q,
                                   float4_of([&](int e) { return fmt::format("EPILOGUE(y[{}])", i * m.w + 4 * q + e); }));
        return out;
    }
    for (int i = m.h - 1; i >= 0; --i)
        for (int j = m.w - 1; j >= 0; --j)
            out += fmt::format("{5}result[(out_base + min(th * {0} + {2}, p.out_h - 1)) * p.out_w + min(tw * {1} + {3}, p.out_w - 1)] = STORED_result(EPILOGUE(y[{4}]));\n",
                               m.h, m.w, i, j, i * m.w + j, indent);
    return out;
}

std::string tile_copies(const std::string& tile_template, const std::map<std::string, std::string>& shared, int group,
                        const std::function<std::map<std::string, std::string>(int)>& values_of) {
    std::string out;
    for (int e = 0; e < group; ++e) {
        std::map<std::string, std::string> tile = values_of(e);
        tile.insert(shared.begin(), shared.end());
        tile.insert({"e", std::to_string(e)});
        out += fill_template(tile_template, tile);
    }
    return out;
}

// EuroSys'20 §3.2.1: the divisor closest to the request (ties to the larger);
// the trivial divisor 1 counts only when asked for, so a prime count unrolls fully.
int effective_unroll(int n, int requested) {
    if (requested <= 0 || requested >= n) return n;
    if (requested == 1) return 1;
    int best = n;
    for (int d = n - 1; d >= 2; --d)
        if (n % d == 0 && std::abs(d - requested) < std::abs(best - requested)) best = d;
    return best;
}

std::string fill_template(const std::string& text, const std::map<std::string, std::string>& values) {
    static const std::regex placeholder(R"(%\(([a-z_0-9]+)\))");
    std::string out;
    std::set<std::string> used;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
        const std::string name = (*it)[1].str();
        auto value = values.find(name);
        if (value == values.end()) throw std::logic_error(fmt::format("template placeholder %({}) has no value", name));
        used.insert(name);
        out.append(last, text.cbegin() + it->position());
        out += value->second;
        last = text.cbegin() + it->position() + it->length();
    }
    out.append(last, text.cend());
    for (const auto& [name, value] : values)
        if (!used.count(name)) throw std::logic_error(fmt::format("template value '{}' has no placeholder", name));
    return out;
}

}  // namespace wino
