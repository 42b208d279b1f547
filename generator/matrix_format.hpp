// Renders proved Toom-Cook matrices for people (text, LaTeX) and for programs
// (JSON with exact "p/q" strings, C++ constexpr float arrays).
#pragma once

#include "generator/toomcook.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace wino {

enum class MatrixFormat { text, json, latex, cpp };
// `what` names the text in the message ("--format").
MatrixFormat parse_matrix_format(std::string_view name, std::string_view what);

nlohmann::ordered_json to_json(const ExactMatrix& m);
nlohmann::ordered_json to_json(const ToomCook1D& t);

// Each renders the algorithm(s) and ends with the proof statement; the caller
// proves before rendering.
std::string render(const ToomCook1D& t, MatrixFormat format);
std::string render(const ToomCook2D& t, MatrixFormat format);

}  // namespace wino
