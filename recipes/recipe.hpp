// Recipe IR: a straight-line SSA program computing one 1D transform (input BT·d,
// filter G·g or output AT·M) with exact rational constants. The 2D transform
// applies it to the columns, then to the rows of a tile.
#pragma once

#include "generator/exact.hpp"

#include <string>
#include <vector>

namespace wino {

enum class Opcode { add, sub, neg, mul, fma, copy };

const char* to_string(Opcode code);
Opcode parse_opcode(const std::string& name);  // throws InputError

// Values are numbered: inputs 0..n_inputs−1, then one per op in order.
// add: a+b, sub: a−b, neg: −a, mul: a·c, fma: a·c + b, copy: a.
struct Op {
    Opcode code;
    int a = -1, b = -1;
    Exact c = 0;
};

struct OpCounts {
    int add = 0, mul = 0, fma = 0;  // add counts add, sub and neg; copy is free
    int total() const { return add + mul + fma; }
    OpCounts& operator+=(const OpCounts& o);
    friend bool operator==(const OpCounts&, const OpCounts&) = default;
};
OpCounts operator*(int times, const OpCounts& c);

struct Recipe {
    int n_inputs = 0;
    std::vector<Op> ops;
    std::vector<int> outputs;  // value ids, one per output row

    int value_count() const { return n_inputs + static_cast<int>(ops.size()); }
    // x0.. for inputs, y0.. for values that are outputs, t0.. for the rest.
    std::vector<std::string> value_names() const;
    OpCounts counts() const;
};

// The exact matrix the recipe computes (outputs × inputs), by evaluating it on
// linear forms: the proof that a recipe equals its matrix compares this.
ExactMatrix matrix_of(const Recipe& recipe);

// The linear form (over a recipe's inputs) of the value `op` defines, from the
// forms of the values before it.
std::vector<Exact> form_of(const Op& op, const std::vector<std::vector<Exact>>& forms);

// Throws InputError when an op reads a value not yet defined or an output is
// out of range (a structurally broken recipe, e.g. from an edited file).
void check_structure(const Recipe& recipe);

// Dense matrix-product counts: a rows×cols matrix times a vector, no zeros skipped.
OpCounts dense_counts(std::size_t rows, std::size_t cols);

}  // namespace wino
