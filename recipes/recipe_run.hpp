// Recipes run on floating-point values, in the order the kernels compute:
// each op in turn, FMA fused, constants rounded once to the working type
// (float, double or Half). The accuracy evaluator (one tile) and the layer
// error model (a whole layer, a stage at a time in fp16, fp32 or fp64) both run
// recipes through this.
#pragma once

#include "generator/exact.hpp"
#include "generator/half.hpp"
#include "recipes/recipe.hpp"

#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace wino {

template <class T>
class RecipeRun {
public:
    explicit RecipeRun(const Recipe& r) : recipe_(r) {
        for (Op& op : recipe_.ops) {
            if constexpr (std::is_same_v<T, Half>)
                constants_.push_back(Half(to_half(op.c)));
            else if constexpr (std::is_same_v<T, float>)
                constants_.push_back(to_float(op.c));
            else
                constants_.push_back(to_double(op.c));
            op.c = 0;  // no exact value is left for worker threads to share
        }
    }

    // y[i·y_stride] = the recipe's outputs of x[i·x_stride].
    void run(const T* x, std::size_t x_stride, T* y, std::size_t y_stride, std::vector<T>& values) const {
        using std::fma;
        values.resize(static_cast<std::size_t>(recipe_.value_count()));
        for (int i = 0; i < recipe_.n_inputs; ++i) values[i] = x[i * x_stride];
        for (std::size_t k = 0; k < recipe_.ops.size(); ++k) {
            const Op& op = recipe_.ops[k];
            const T a = values[op.a], b = op.b >= 0 ? values[op.b] : T(0), c = constants_[k];
            T& out = values[recipe_.n_inputs + k];
            switch (op.code) {
                case Opcode::add: out = a + b; break;
                case Opcode::sub: out = a - b; break;
                case Opcode::neg: out = -a; break;
                case Opcode::mul: out = a * c; break;
                case Opcode::fma: out = fma(a, c, b); break;
                case Opcode::copy: out = a; break;
            }
        }
        for (std::size_t i = 0; i < recipe_.outputs.size(); ++i) y[i * y_stride] = values[recipe_.outputs[i]];
    }

    int inputs() const { return recipe_.n_inputs; }
    int outputs() const { return static_cast<int>(recipe_.outputs.size()); }

private:
    Recipe recipe_;
    std::vector<T> constants_;
};

// The 2D transform of a block (along_h's inputs rows × along_w's inputs
// columns, row-major): along_h on every column, then along_w on every row of
// the result, as the kernels' transform_2d.
template <class T>
void run_2d(const RecipeRun<T>& along_h, const RecipeRun<T>& along_w, const T* in, T* out, std::vector<T>& scratch,
            std::vector<T>& values) {
    const std::size_t columns = along_w.inputs(), rows_out = along_h.outputs(), columns_out = along_w.outputs();
    scratch.resize(rows_out * columns);
    for (std::size_t j = 0; j < columns; ++j) along_h.run(in + j, columns, scratch.data() + j, columns, values);
    for (std::size_t i = 0; i < rows_out; ++i) along_w.run(scratch.data() + i * columns, 1, out + i * columns_out, 1, values);
}

}  // namespace wino
