// Layer lists, as in examples/layers/*.txt: one layer a line,
// "name N C H W K R pad", anything after '#' a comment. R is the filter's
// size, R×R, or RxS ("1x7"); pad is as --pad takes it (P, PH,PW,
// top,bottom,left,right or same).
#pragma once

#include "templates/layer.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace wino {

struct NamedLayer {
    std::string name;
    ConvShape shape;
};

// Throws InputError naming the file and line of the first bad line.
std::vector<NamedLayer> read_layer_list(const std::filesystem::path& file);

// The layers as a list read_layer_list reads back, after a comment line
// `header` (no '#' needed): a name's blanks and '#' become '_', so that it
// stays one field.
std::string layer_list_text(const std::vector<NamedLayer>& layers, const std::string& header);

}  // namespace wino
