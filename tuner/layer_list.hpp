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

}  // namespace wino
