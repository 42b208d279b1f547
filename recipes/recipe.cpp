// Recipe IR: names, counts, structural checks and exact evaluation.
#include "recipes/recipe.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

namespace wino {

const char* to_string(Opcode code) {
    switch (code) {
        case Opcode::add: return "add";
        case Opcode::sub: return "sub";
        case Opcode::neg: return "neg";
        case Opcode::mul: return "mul";
        case Opcode::fma: return "fma";
        case Opcode::copy: return "copy";
    }
    return "?";
}

Opcode parse_opcode(const std::string& name) {
    for (Opcode code : {Opcode::add, Opcode::sub, Opcode::neg, Opcode::mul, Opcode::fma, Opcode::copy})
        if (name == to_string(code)) return code;
    throw InputError(fmt::format("unknown recipe op '{}'", name));
}

OpCounts& OpCounts::operator+=(const OpCounts& o) {
    add += o.add;
    mul += o.mul;
    fma += o.fma;
    return *this;
}

OpCounts operator*(int times, const OpCounts& c) { return {times * c.add, times * c.mul, times * c.fma}; }

std::vector<std::string> Recipe::value_names() const {
    std::vector<std::string> names(static_cast<std::size_t>(value_count()));
    for (int i = 0; i < n_inputs; ++i) names[i] = fmt::format("x{}", i);
    for (std::size_t k = 0; k < outputs.size(); ++k)
        if (outputs[k] >= n_inputs) names[outputs[k]] = fmt::format("y{}", k);
    int temp = 0;
    for (auto& name : names)
        if (name.empty()) name = fmt::format("t{}", temp++);
    return names;
}

OpCounts Recipe::counts() const {
    OpCounts c;
    for (const Op& op : ops) switch (op.code) {
            case Opcode::add:
            case Opcode::sub:
            case Opcode::neg: ++c.add; break;
            case Opcode::mul: ++c.mul; break;
            case Opcode::fma: ++c.fma; break;
            case Opcode::copy: break;
        }
    return c;
}

namespace {

bool reads_b(Opcode code) { return code == Opcode::add || code == Opcode::sub || code == Opcode::fma; }

}  // namespace

void check_structure(const Recipe& recipe) {
    for (std::size_t k = 0; k < recipe.ops.size(); ++k) {
        const Op& op = recipe.ops[k];
        const int defined = recipe.n_inputs + static_cast<int>(k);
        auto bad = [&](int v) { return v < 0 || v >= defined; };
        if (bad(op.a) || (reads_b(op.code) && bad(op.b)))
            throw InputError(fmt::format("recipe op {} ({}) reads a value that is not defined before it", k,
                                         to_string(op.code)));
    }
    for (int out : recipe.outputs)
        if (out < 0 || out >= recipe.value_count()) throw InputError("recipe output names an undefined value");
}

ExactMatrix matrix_of(const Recipe& recipe) {
    check_structure(recipe);
    const std::size_t n = static_cast<std::size_t>(recipe.n_inputs);
    std::vector<std::vector<Exact>> form(n, std::vector<Exact>(n, Exact(0)));
    for (std::size_t i = 0; i < n; ++i) form[i][i] = 1;
    for (const Op& op : recipe.ops) form.push_back(form_of(op, form));
    ExactMatrix m(recipe.outputs.size(), n);
    for (std::size_t i = 0; i < recipe.outputs.size(); ++i)
        for (std::size_t j = 0; j < n; ++j) m(i, j) = form[recipe.outputs[i]][j];
    return m;
}

std::vector<Exact> form_of(const Op& op, const std::vector<std::vector<Exact>>& forms) {
    const std::vector<Exact>& a = forms[op.a];
    std::vector<Exact> v(a.size());
    for (std::size_t j = 0; j < a.size(); ++j) switch (op.code) {
            case Opcode::add: v[j] = a[j] + forms[op.b][j]; break;
            case Opcode::sub: v[j] = a[j] - forms[op.b][j]; break;
            case Opcode::neg: v[j] = -a[j]; break;
            case Opcode::mul: v[j] = a[j] * op.c; break;
            case Opcode::fma: v[j] = a[j] * op.c + forms[op.b][j]; break;
            case Opcode::copy: v[j] = a[j]; break;
        }
    return v;
}

OpCounts dense_counts(std::size_t rows, std::size_t cols) {
    const int r = static_cast<int>(rows), c = static_cast<int>(cols);
    return {r * (c - 1), r * c, 0};
}

}  // namespace wino
