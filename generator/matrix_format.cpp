// Text, JSON, LaTeX and C++ renderings of the Toom-Cook matrices.
#include "generator/matrix_format.hpp"

#include <wino/errors.hpp>
#include "generator/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace wino {
namespace {

struct NamedMatrix {
    const char* name;
    const ExactMatrix* matrix;
};

std::vector<NamedMatrix> matrices_of(const ToomCook1D& t) { return {{"AT", &t.AT}, {"G", &t.G}, {"BT", &t.BT}}; }

std::string title(const ToomCook1D& t) { return fmt::format("F({},{})", t.m, t.r); }

std::string points_line(const ToomCook1D& t) { return fmt::format("{}", fmt::join(point_strings(t.points), ", ")); }

std::string aligned_text(const ExactMatrix& m) {
    std::vector<std::size_t> width(m.cols(), 1);
    for (std::size_t i = 0; i < m.rows(); ++i)
        for (std::size_t j = 0; j < m.cols(); ++j) width[j] = std::max(width[j], to_string(m(i, j)).size());
    std::string out;
    for (std::size_t i = 0; i < m.rows(); ++i) {
        out += "  [";
        for (std::size_t j = 0; j < m.cols(); ++j) out += fmt::format(" {:>{}}", to_string(m(i, j)), width[j]);
        out += " ]\n";
    }
    return out;
}

std::string text_of(const ToomCook1D& t) {
    std::string out = fmt::format("{}  alpha = {}  points: {}  (fractions in {})\n", title(t), t.alpha, points_line(t),
                                  to_string(t.fractions_in));
    for (const NamedMatrix& nm : matrices_of(t)) out += fmt::format("\n{} =\n{}", nm.name, aligned_text(*nm.matrix));
    return out;
}

std::string latex_of(const ToomCook1D& t, std::string_view label) {
    std::string out = fmt::format("% {}{}, points {}\n", label, title(t), points_line(t));
    const char* symbol[] = {"A^T", "G", "B^T"};
    int n = 0;
    for (const NamedMatrix& nm : matrices_of(t)) {
        out += fmt::format("{} = \\begin{{bmatrix}}\n", symbol[n++]);
        for (std::size_t i = 0; i < nm.matrix->rows(); ++i) {
            std::vector<std::string> cells;
            for (std::size_t j = 0; j < nm.matrix->cols(); ++j) cells.push_back(to_latex((*nm.matrix)(i, j)));
            out += fmt::format("  {} \\\\\n", fmt::join(cells, " & "));
        }
        out += "\\end{bmatrix}\n";
    }
    return out;
}

std::string cpp_of(const ToomCook1D& t, std::string_view prefix) {
    std::string out = fmt::format("// {}, alpha = {}, points {}; fractions in {}.\n", title(t), t.alpha, points_line(t),
                                  to_string(t.fractions_in));
    for (const NamedMatrix& nm : matrices_of(t)) {
        const ExactMatrix& m = *nm.matrix;
        out += fmt::format("constexpr float {}{}[{}][{}] = {{\n", prefix, nm.name, m.rows(), m.cols());
        for (std::size_t i = 0; i < m.rows(); ++i) {
            std::vector<std::string> cells;
            for (std::size_t j = 0; j < m.cols(); ++j)
                cells.push_back(fmt::format("{} /* {} */", float_literal(m(i, j)), to_string(m(i, j))));
            out += fmt::format("    {{{}}},\n", fmt::join(cells, ", "));
        }
        out += "};\n";
    }
    return out;
}

constexpr const char* proof_1d = "AT[(G g) . (BT d)] equals the correlation y[i] = sum_k d[i+k] g[k] for all g, d";
constexpr const char* proof_2d =
    "AT_h[(G_h g G_w^T) . (BT_h d BT_w^T)]AT_w^T equals the 2D correlation for all g, d";

std::string proof_comment(MatrixFormat format, const char* statement) {
    switch (format) {
        case MatrixFormat::text: return fmt::format("\nproof: exact, {}\n", statement);
        case MatrixFormat::latex: return fmt::format("% proved exactly: {}\n", statement);
        case MatrixFormat::cpp: return fmt::format("// Proved exactly by wino-gen: {}.\n", statement);
        case MatrixFormat::json: break;
    }
    return "";
}

std::string cpp_prefix(const ToomCook1D& t) { return fmt::format("F{}_{}_", t.m, t.r); }

}  // namespace

MatrixFormat parse_matrix_format(std::string_view name, std::string_view what) {
    if (name == "text") return MatrixFormat::text;
    if (name == "json") return MatrixFormat::json;
    if (name == "latex") return MatrixFormat::latex;
    if (name == "cpp") return MatrixFormat::cpp;
    throw InputError(fmt::format("{} must be text, json, latex or cpp, not '{}'", what, name));
}

nlohmann::ordered_json to_json(const ExactMatrix& m) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < m.rows(); ++i) {
        nlohmann::ordered_json row = nlohmann::ordered_json::array();
        for (std::size_t j = 0; j < m.cols(); ++j) row.push_back(to_string(m(i, j)));
        rows.push_back(row);
    }
    return rows;
}

nlohmann::ordered_json to_json(const ToomCook1D& t) {
    return {{"m", t.m},           {"r", t.r},         {"alpha", t.alpha},
            {"points", point_strings(t.points)},      {"fractions_in", to_string(t.fractions_in)},
            {"AT", to_json(t.AT)}, {"G", to_json(t.G)}, {"BT", to_json(t.BT)}, {"proof", "exact"}};
}

std::string render(const ToomCook1D& t, MatrixFormat format) {
    switch (format) {
        case MatrixFormat::text: return text_of(t) + proof_comment(format, proof_1d);
        case MatrixFormat::json: return to_readable_json(to_json(t));
        case MatrixFormat::latex: return latex_of(t, "") + proof_comment(format, proof_1d);
        case MatrixFormat::cpp: return proof_comment(format, proof_1d) + cpp_of(t, cpp_prefix(t));
    }
    return "";
}

std::string render(const ToomCook2D& t, MatrixFormat format) {
    switch (format) {
        case MatrixFormat::text:
            return fmt::format("F({}x{},{}x{}) nests two 1D algorithms\n\nheight: {}\nwidth: {}", t.h.m, t.w.m, t.h.r,
                               t.w.r, text_of(t.h), text_of(t.w)) +
                   proof_comment(format, proof_2d);
        case MatrixFormat::json: {
            return to_readable_json({{"h", to_json(t.h)}, {"w", to_json(t.w)}});
        }
        case MatrixFormat::latex: return latex_of(t.h, "height ") + latex_of(t.w, "width ") + proof_comment(format, proof_2d);
        case MatrixFormat::cpp:
            return proof_comment(format, proof_2d) + cpp_of(t.h, "h_" + cpp_prefix(t.h)) + cpp_of(t.w, "w_" + cpp_prefix(t.w));
    }
    return "";
}

}  // namespace wino
